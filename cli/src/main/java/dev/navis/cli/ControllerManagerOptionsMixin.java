package dev.navis.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.navis.controllers.ControllerOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** kube-controller-manager's flags that Navis's controllers read, shared by {@code server} and {@code controller-manager}. */
public final class ControllerManagerOptionsMixin {
    private static final ControllerOptions DEFAULTS = ControllerOptions.defaults();

    @Option(names = "--node-monitor-grace-period", paramLabel = "DURATION", converter = GoDuration.class,
            description = "How long a node may stay silent (no status, no lease renewal) before it is marked "
                    + "Unknown and tainted unreachable, e.g. 40s (default).")
    Duration nodeMonitorGracePeriod = DEFAULTS.nodeMonitorGracePeriod();

    @Option(names = "--node-monitor-period", paramLabel = "DURATION", converter = GoDuration.class,
            description = "How often node health is checked (default 5s).")
    Duration nodeMonitorPeriod = DEFAULTS.nodeMonitorPeriod();

    @Option(names = "--cluster-cidr", paramLabel = "CIDR",
            description = "Pod addresses of the cluster, cut into one range per node (default 10.42.0.0/16).")
    String clusterCidr = DEFAULTS.clusterCidr();

    @Option(names = "--node-cidr-mask-size", paramLabel = "BITS",
            description = "Prefix length of each node's podCIDR (default 24).")
    int nodeCidrMaskSize = DEFAULTS.nodeCidrMaskSize();

    @Option(names = "--terminated-pod-gc-threshold", paramLabel = "N",
            description = "Terminated pods kept before the oldest are deleted; 0 keeps all (default 12500).")
    int terminatedPodGcThreshold = DEFAULTS.terminatedPodGcThreshold();

    @Option(names = "--cluster-signing-cert-file", paramLabel = "FILE",
            description = "PEM CA certificate that signs approved CertificateSigningRequests (server: its own CA).")
    java.nio.file.Path clusterSigningCertFile;

    @Option(names = "--cluster-signing-key-file", paramLabel = "FILE",
            description = "PEM private key of --cluster-signing-cert-file (server: its own CA key).")
    java.nio.file.Path clusterSigningKeyFile;

    @Option(names = "--cluster-signing-duration", paramLabel = "DURATION", converter = GoDuration.class,
            description = "Longest validity of signed certificates (default 8760h).")
    Duration clusterSigningDuration = dev.navis.controllers.certificates.ClusterSigning.DEFAULT_DURATION;

    ControllerOptions toOptions() {
        ControllerOptions options = new ControllerOptions(nodeMonitorGracePeriod, nodeMonitorPeriod, clusterCidr,
                nodeCidrMaskSize, terminatedPodGcThreshold);
        if (clusterSigningCertFile != null && clusterSigningKeyFile != null) {
            options = options.withClusterSigning(new dev.navis.controllers.certificates.ClusterSigning(
                    clusterSigningCertFile.toAbsolutePath(), clusterSigningKeyFile.toAbsolutePath(), clusterSigningDuration));
        }
        return options;
    }

    /** As {@link #toOptions()}, signing with the CA in {@code pkiDir} (ca.crt, ca.key) unless the flags name another. */
    ControllerOptions toOptions(java.nio.file.Path pkiDir) {
        ControllerOptions options = toOptions();
        return options.clusterSigning() != null ? options : options.withClusterSigning(
                new dev.navis.controllers.certificates.ClusterSigning(pkiDir.resolve("ca.crt"), pkiDir.resolve("ca.key"),
                        clusterSigningDuration));
    }

    /** Go's time.ParseDuration forms: 40s, 1m30s, 500ms, 2h. */
    static final class GoDuration implements ITypeConverter<Duration> {
        private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Matcher m = PART.matcher(value);
            long nanos = 0;
            int end = 0;
            while (m.find() && m.start() == end) {
                double n = Double.parseDouble(m.group(1));
                double unit = switch (m.group(2)) {
                    case "ns" -> 1;
                    case "us", "µs" -> 1e3;
                    case "ms" -> 1e6;
                    case "s" -> 1e9;
                    case "m" -> 60e9;
                    default -> 3600e9;
                };
                nanos += (long) (n * unit);
                end = m.end();
            }
            if (end == 0 || end != value.length()) {
                throw new TypeConversionException("invalid duration \"" + value + "\" (e.g. 40s, 1m30s)");
            }
            return Duration.ofNanos(nanos);
        }
    }
}

package dev.navis.cli;

import java.nio.file.Path;

import dev.navis.apiserver.ApiServerOptions;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The API server's command-line options, shared by {@code navis server} and {@code navis apiserver}. */
public final class ApiServerOptionsMixin {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where the store, certificates, tokens and kubeconfig live (default: ~/.navis/server).")
    Path dataDir;

    @Option(names = "--api-port", paramLabel = "PORT", defaultValue = "" + ApiServerOptions.DEFAULT_PORT,
            description = "HTTPS port of the API server, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--bind-address", paramLabel = "IP", defaultValue = ApiServerOptions.DEFAULT_BIND_ADDRESS,
            description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    String bindAddress;

    @Option(names = "--token-auth-file", paramLabel = "FILE",
            description = "Static bearer tokens, upstream's CSV format token,user,uid,\"group1,group2\" "
                    + "(default: <data-dir>/tokens.csv, made with an admin token on first start).")
    Path tokenAuthFile;

    @Option(names = "--datastore", paramLabel = "KIND", defaultValue = "embedded",
            description = "Where cluster state lives: embedded (a store in <data-dir>/store) or etcd "
                    + "(an etcd v3 cluster at --etcd-endpoints; resourceVersions are etcd revisions) (default: ${DEFAULT-VALUE}).")
    String datastore;

    @Option(names = "--etcd-endpoints", paramLabel = "URL", split = ",",
            description = "Client URLs of the etcd members, comma-separated (https://host:2379,...).")
    java.util.List<String> etcdEndpoints;

    @Option(names = "--etcd-cafile", paramLabel = "FILE", description = "PEM CA bundle that signed the etcd members' certificates.")
    Path etcdCaFile;

    @Option(names = "--etcd-certfile", paramLabel = "FILE", description = "PEM client certificate for etcd.")
    Path etcdCertFile;

    @Option(names = "--etcd-keyfile", paramLabel = "FILE", description = "PEM (PKCS#8) key of the etcd client certificate.")
    Path etcdKeyFile;

    @Option(names = "--cluster-ca", paramLabel = "DIR",
            description = "Join the cluster of another server: use the CA in DIR (ca.crt and ca.key, e.g. a copy of "
                    + "that server's <data-dir>/pki) instead of making a new one; each server still signs its own "
                    + "serving certificate. For several servers on one etcd.")
    Path clusterCa;

    @Option(names = "--token", paramLabel = "SECRET", defaultValue = "${env:NAVIS_TOKEN}",
            description = "With --datastore etcd: a secret shared by every server of the cluster (also read from "
                    + "$NAVIS_TOKEN, which keeps it out of the process list). The first server stores its cluster CA "
                    + "in etcd encrypted with it; servers started later with the same token take that CA, so no CA "
                    + "files need copying (instead of --cluster-ca).")
    String serverToken;

    @Option(names = "--default-not-ready-toleration-seconds", paramLabel = "SECONDS",
            defaultValue = "" + ApiServerOptions.DEFAULT_TOLERATION_SECONDS,
            description = "tolerationSeconds of the node.kubernetes.io/not-ready:NoExecute toleration added to "
                    + "every pod that has none: how long its pods stay on a NotReady node (default: ${DEFAULT-VALUE}).")
    long defaultNotReadyTolerationSeconds;

    @Option(names = "--default-unreachable-toleration-seconds", paramLabel = "SECONDS",
            defaultValue = "" + ApiServerOptions.DEFAULT_TOLERATION_SECONDS,
            description = "tolerationSeconds of the node.kubernetes.io/unreachable:NoExecute toleration added to "
                    + "every pod that has none: how long its pods stay on an unreachable node (default: ${DEFAULT-VALUE}).")
    long defaultUnreachableTolerationSeconds;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** How the API server opens its store, from --datastore and the etcd options. */
    java.util.function.Function<Path, dev.navis.storage.Store> storeOpener() {
        switch (datastore) {
            case "embedded" -> {
                if (etcdEndpoints != null || etcdCaFile != null || etcdCertFile != null || etcdKeyFile != null) {
                    throw new ParameterException(command.commandLine(), "the --etcd-* options need --datastore etcd");
                }
                return ApiServerRunner::openEmbeddedStore;
            }
            case "etcd" -> {
                if (etcdEndpoints == null || etcdEndpoints.isEmpty()) {
                    throw new ParameterException(command.commandLine(), "--datastore etcd needs --etcd-endpoints");
                }
                dev.navis.storage.etcd.EtcdConfig config;
                try {
                    config = new dev.navis.storage.etcd.EtcdConfig(etcdEndpoints, absolute(etcdCaFile),
                            absolute(etcdCertFile), absolute(etcdKeyFile));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(command.commandLine(), e.getMessage());
                }
                return dir -> dev.navis.storage.etcd.EtcdStore.connect(config);
            }
            default -> throw new ParameterException(command.commandLine(),
                    "--datastore must be embedded or etcd, not " + datastore);
        }
    }

    /** The CA stored in etcd under the server token, or this server's stored there (SharedClusterCa). */
    private void shareClusterCa(ApiServerOptions options) {
        if (!"etcd".equals(datastore)) {
            throw new IllegalArgumentException("--token shares the cluster CA through etcd: it needs --datastore etcd");
        }
        dev.navis.storage.Store store = storeOpener().apply(options.storeDir());
        try {
            dev.navis.apiserver.certs.SharedClusterCa.exchange(store, serverToken, options.pkiDir());
        } catch (dev.navis.storage.StoreException e) {
            throw new IllegalArgumentException("cannot exchange the cluster CA through etcd: " + e.getMessage(), e);
        } finally {
            store.close();
        }
    }

    private static Path absolute(Path p) {
        return p == null ? null : p.toAbsolutePath();
    }

    /**
     * The options as given; a bad value is reported like any other usage error. With --cluster-ca, the CA is
     * put into the data directory's PKI first.
     */
    ApiServerOptions toOptions() {
        try {
            ApiServerOptions options = ApiServerOptions.defaults()
                    .withDataDir(dataDir != null ? dataDir.toAbsolutePath() : ApiServerOptions.defaultDataDir())
                    .withPort(apiPort)
                    .withBindAddress(bindAddress)
                    .withTokenAuthFile(tokenAuthFile == null ? null : tokenAuthFile.toAbsolutePath())
                    .withDefaultTolerationSeconds(defaultNotReadyTolerationSeconds, defaultUnreachableTolerationSeconds);
            if (clusterCa != null && serverToken != null) {
                throw new IllegalArgumentException("--cluster-ca and --token both name the cluster CA: give one");
            }
            if (clusterCa != null) {
                dev.navis.apiserver.certs.ClusterCertificates.adoptCa(options.pkiDir(), clusterCa.toAbsolutePath());
            }
            if (serverToken != null) {
                shareClusterCa(options);
            }
            return options;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage());
        }
    }
}

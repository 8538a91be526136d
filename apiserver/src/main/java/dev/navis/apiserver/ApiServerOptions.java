package dev.navis.apiserver;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to run an {@link ApiServer}. Start from {@link #defaults()} and change what you need:
 *
 * <pre>
 *   ApiServerOptions.defaults().withDataDir(Path.of("/tmp/navis")).withPort(0)
 * </pre>
 *
 * @param dataDir         holds the store, certificates, tokens and the admin kubeconfig (created 0700)
 * @param bindAddress     the address to listen on: 127.0.0.1 unless asked otherwise (0.0.0.0 for every interface)
 * @param port            the HTTPS port, 0 for any free one
 * @param tokenAuthFile   upstream's --token-auth-file; null for {@code <dataDir>/tokens.csv}, made on first start
 * @param shutdownTimeout how long shutdown waits for requests in flight to finish
 * @param defaultNotReadyTolerationSeconds    upstream's --default-not-ready-toleration-seconds (300): pods
 *                                            tolerate node.kubernetes.io/not-ready:NoExecute this long
 * @param defaultUnreachableTolerationSeconds upstream's --default-unreachable-toleration-seconds (300)
 */
public record ApiServerOptions(Path dataDir, String bindAddress, int port, Path tokenAuthFile, Duration shutdownTimeout,
                               long defaultNotReadyTolerationSeconds, long defaultUnreachableTolerationSeconds) {
    public static final int DEFAULT_PORT = 6443;
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_TOLERATION_SECONDS = dev.navis.apimachinery.admission.DefaultTolerationSeconds.DEFAULT_SECONDS;

    public ApiServerOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
        }
        if (dataDir == null || bindAddress == null || bindAddress.isBlank() || shutdownTimeout == null) {
            throw new IllegalArgumentException("dataDir, bindAddress and shutdownTimeout are required");
        }
        if (defaultNotReadyTolerationSeconds < 0 || defaultUnreachableTolerationSeconds < 0) {
            throw new IllegalArgumentException("toleration seconds must not be negative");
        }
    }

    /** With upstream's default toleration seconds (300). */
    public ApiServerOptions(Path dataDir, String bindAddress, int port, Path tokenAuthFile, Duration shutdownTimeout) {
        this(dataDir, bindAddress, port, tokenAuthFile, shutdownTimeout, DEFAULT_TOLERATION_SECONDS, DEFAULT_TOLERATION_SECONDS);
    }

    /** ~/.navis/server */
    public static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".navis", "server");
    }

    public static ApiServerOptions defaults() {
        return new ApiServerOptions(defaultDataDir(), DEFAULT_BIND_ADDRESS, DEFAULT_PORT, null, DEFAULT_SHUTDOWN_TIMEOUT);
    }

    public ApiServerOptions withDataDir(Path dir) {
        return new ApiServerOptions(dir, bindAddress, port, tokenAuthFile, shutdownTimeout,
                defaultNotReadyTolerationSeconds, defaultUnreachableTolerationSeconds);
    }

    public ApiServerOptions withBindAddress(String address) {
        return new ApiServerOptions(dataDir, address, port, tokenAuthFile, shutdownTimeout,
                defaultNotReadyTolerationSeconds, defaultUnreachableTolerationSeconds);
    }

    public ApiServerOptions withPort(int p) {
        return new ApiServerOptions(dataDir, bindAddress, p, tokenAuthFile, shutdownTimeout,
                defaultNotReadyTolerationSeconds, defaultUnreachableTolerationSeconds);
    }

    public ApiServerOptions withTokenAuthFile(Path file) {
        return new ApiServerOptions(dataDir, bindAddress, port, file, shutdownTimeout,
                defaultNotReadyTolerationSeconds, defaultUnreachableTolerationSeconds);
    }

    public ApiServerOptions withShutdownTimeout(Duration timeout) {
        return new ApiServerOptions(dataDir, bindAddress, port, tokenAuthFile, timeout,
                defaultNotReadyTolerationSeconds, defaultUnreachableTolerationSeconds);
    }

    /** The DefaultTolerationSeconds admission's not-ready and unreachable toleration seconds. */
    public ApiServerOptions withDefaultTolerationSeconds(long notReady, long unreachable) {
        return new ApiServerOptions(dataDir, bindAddress, port, tokenAuthFile, shutdownTimeout, notReady, unreachable);
    }

    /** Where the store keeps its files. */
    public Path storeDir() {
        return dataDir.resolve("store");
    }

    /** Where the CA and the certificates live. */
    public Path pkiDir() {
        return dataDir.resolve("pki");
    }

    /** The admin kubeconfig, rewritten on every start with the port actually bound. */
    public Path kubeconfigFile() {
        return dataDir.resolve("kubeconfig.yaml");
    }

    /** The token file in use: {@link #tokenAuthFile} or {@code <dataDir>/tokens.csv}. */
    public Path tokenFile() {
        return tokenAuthFile != null ? tokenAuthFile : dataDir.resolve("tokens.csv");
    }
}

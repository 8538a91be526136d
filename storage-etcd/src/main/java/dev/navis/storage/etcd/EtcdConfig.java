package dev.navis.storage.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;

import javax.net.ssl.SSLException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How to reach an etcd cluster: its client endpoints ({@code https://host:2379}, several for a cluster) and,
 * for TLS, the CA that signed the members' certificates and this client's certificate and PKCS#8 key (PEM),
 * as etcdctl's {@code --cacert --cert --key}.
 *
 * @param endpoints client URLs of the members
 * @param caFile    PEM CA bundle to verify the members, or null for the JVM's default trust
 * @param certFile  PEM client certificate, or null
 * @param keyFile   PEM (PKCS#8) key of the client certificate, or null
 */
public record EtcdConfig(List<String> endpoints, Path caFile, Path certFile, Path keyFile) {

    public EtcdConfig {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one etcd endpoint is needed");
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
        }
    }

    public static EtcdConfig plain(List<String> endpoints) {
        return new EtcdConfig(endpoints, null, null, null);
    }

    /** A new jetcd client (the caller closes it). */
    public Client newClient() {
        ClientBuilder builder = Client.builder().endpoints(endpoints.toArray(String[]::new))
                .connectTimeout(Duration.ofSeconds(5))
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(5))
                // a LIST of thousands of objects is one range answer bigger than gRPC's 4 MiB default; upstream's
                // etcd3 client raises the limit to MaxInt32 the same way
                .maxInboundMessageSize(Integer.MAX_VALUE);
        boolean tls = endpoints.stream().anyMatch(e -> e.startsWith("https://"));
        if (tls || caFile != null || certFile != null) {
            try {
                builder.sslContext(ssl -> {
                    if (caFile != null) {
                        ssl.trustManager(caFile.toFile());
                    }
                    if (certFile != null) {
                        ssl.keyManager(certFile.toFile(), keyFile.toFile());
                    }
                });
            } catch (SSLException e) {
                throw new UncheckedIOException(e);
            }
        }
        return builder.build();
    }
}

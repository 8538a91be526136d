package dev.navis.storage.etcd;

import dev.navis.storage.StoreException;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link EtcdStore} over HTTPS to an etcd that requires client certificates (--client-cert-auth). */
class EtcdTlsTest {

    private EtcdCluster cluster;

    @BeforeAll
    static void needEtcd() {
        assumeTrue(EtcdCluster.available(), "skipped: " + EtcdCluster.ETCD + " is not installed (Debian package etcd-server)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "skipped: openssl is not installed (makes the test PKI)");
    }

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void clientCertificateIsPresentedAndRequired() {
        cluster = EtcdCluster.start(1, Duration.ofSeconds(1), true);
        EtcdCluster.Tls pki = cluster.tls();
        assertThat(cluster.clientUrls().get(0)).startsWith("https://");
        EtcdConfig config = new EtcdConfig(cluster.clientUrls(), pki.ca(), pki.clientCert(), pki.clientKey());
        try (EtcdStore store = EtcdStore.connect(config)) {
            List<WatchEvent> seen = new CopyOnWriteArrayList<>();
            try (var w = store.watch("/tls/", 0, new WatchListener() {
                @Override
                public void onEvent(WatchEvent event) {
                    seen.add(event);
                }
            })) {
                long rev = store.create("/tls/a", "secret".getBytes(StandardCharsets.UTF_8), 0);
                assertThat(store.get("/tls/a").modRevision()).isEqualTo(rev);
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
            }
        }
        EtcdConfig noClientCert = new EtcdConfig(cluster.clientUrls(), pki.ca(), null, null);
        assertThatThrownBy(() -> EtcdStore.connect(noClientCert).close()).isInstanceOf(StoreException.class);
    }
}

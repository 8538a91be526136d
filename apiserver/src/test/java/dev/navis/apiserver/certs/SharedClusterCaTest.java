package dev.navis.apiserver.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.storage.Store;
import dev.navis.storage.mvcc.MvccStore;
import dev.navis.storage.mvcc.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servers on one datastore share the cluster CA through it, encrypted with their common token. */
class SharedClusterCaTest {
    private static final String TOKEN = "a-server-token-shared-by-all-servers";

    @TempDir
    Path tmp;

    private Store store;

    @BeforeEach
    void open() {
        store = MvccStore.open(tmp.resolve("store"), Options.defaults());
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theFirstServerPublishesAndTheOthersAdoptTheSameCa() throws Exception {
        Path first = tmp.resolve("s1/pki");
        Path second = tmp.resolve("s2/pki");
        assertThat(SharedClusterCa.exchange(store, TOKEN, first)).isEqualTo(SharedClusterCa.Outcome.PUBLISHED);
        assertThat(SharedClusterCa.exchange(store, TOKEN, second)).isEqualTo(SharedClusterCa.Outcome.ADOPTED);
        assertThat(SharedClusterCa.exchange(store, TOKEN, second)).isEqualTo(SharedClusterCa.Outcome.UNCHANGED);

        assertThat(Files.readString(second.resolve("ca.crt"))).isEqualTo(Files.readString(first.resolve("ca.crt")));
        assertThat(Pem.readPrivateKey(second.resolve("ca.key"))).isEqualTo(Pem.readPrivateKey(first.resolve("ca.key")));
        // loadOrCreate builds each server's own certificates on the shared CA
        var a = ClusterCertificates.loadOrCreate(first, ServingNames.ofThisHost());
        var b = ClusterCertificates.loadOrCreate(second, ServingNames.ofThisHost());
        assertThat(b.ca()).isEqualTo(a.ca());
        b.serving().verify(a.ca().getPublicKey());
    }

    @Test
    void theStoredCaIsEncrypted() {
        SharedClusterCa.exchange(store, TOKEN, tmp.resolve("s1/pki"));
        String stored = new String(store.get(SharedClusterCa.KEY).value(), StandardCharsets.ISO_8859_1);
        assertThat(stored).doesNotContain("PRIVATE KEY").doesNotContain("CERTIFICATE");
    }

    @Test
    void aServerWithAnotherTokenIsRefusedAndGetsNoCa() {
        SharedClusterCa.exchange(store, TOKEN, tmp.resolve("s1/pki"));
        Path other = tmp.resolve("s2/pki");
        assertThatThrownBy(() -> SharedClusterCa.exchange(store, "another-token", other))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another token");
        assertThat(other.resolve("ca.key")).doesNotExist();
    }

    @Test
    void aServerAlreadyHoldingAnotherCaIsRefused() {
        SharedClusterCa.exchange(store, TOKEN, tmp.resolve("s1/pki"));
        Path other = tmp.resolve("s2/pki");
        ClusterCertificates.loadOrCreate(other, ServingNames.ofThisHost()); // a CA of its own
        assertThatThrownBy(() -> SharedClusterCa.exchange(store, TOKEN, other))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another cluster CA");
    }

    @Test
    void anExistingCaIsPublishedAsItIs() throws Exception {
        Path first = tmp.resolve("s1/pki");
        var before = ClusterCertificates.loadOrCreate(first, ServingNames.ofThisHost());
        assertThat(SharedClusterCa.exchange(store, TOKEN, first)).isEqualTo(SharedClusterCa.Outcome.PUBLISHED);
        SharedClusterCa.exchange(store, TOKEN, tmp.resolve("s2/pki"));
        assertThat(Pem.readCertificate(tmp.resolve("s2/pki/ca.crt"))).isEqualTo(before.ca());
    }

    @Test
    void serversStartingAtOnceEndUpWithOneCa() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Callable<SharedClusterCa.Outcome>> starts = List.of(
                    () -> SharedClusterCa.exchange(store, TOKEN, tmp.resolve("a/pki")),
                    () -> SharedClusterCa.exchange(store, TOKEN, tmp.resolve("b/pki")),
                    () -> SharedClusterCa.exchange(store, TOKEN, tmp.resolve("c/pki")));
            List<SharedClusterCa.Outcome> outcomes = pool.invokeAll(starts).stream().map(SharedClusterCaTest::get).toList();
            assertThat(outcomes).containsOnlyOnce(SharedClusterCa.Outcome.PUBLISHED);
        } finally {
            pool.shutdown();
        }
        String ca = Files.readString(tmp.resolve("a/pki/ca.crt"));
        assertThat(Files.readString(tmp.resolve("b/pki/ca.crt"))).isEqualTo(ca);
        assertThat(Files.readString(tmp.resolve("c/pki/ca.crt"))).isEqualTo(ca);
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.navis.apiserver.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

import dev.navis.storage.mvcc.MvccStore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceAccountKeyTest {
    @TempDir
    Path tmp;

    @Test
    void generatedOnceThenLoaded() throws Exception {
        KeyPair first = ServiceAccountKey.loadOrCreate(tmp.resolve("pki"));
        KeyPair again = ServiceAccountKey.loadOrCreate(tmp.resolve("pki"));
        assertThat(again.getPrivate()).isEqualTo(first.getPrivate());
        assertThat(again.getPublic()).isEqualTo(first.getPublic());
        assertThat(first.getPublic().getAlgorithm()).isEqualTo("RSA");
        assertThat(Files.readString(tmp.resolve("pki/sa.pub"))).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(Pem.publicKey(Files.readString(tmp.resolve("pki/sa.pub")))).isEqualTo(first.getPublic());
    }

    @Test
    void clusterCaAdoptionBringsTheKeyAlong() {
        ClusterCertificates.loadOrCreate(tmp.resolve("first"), ServingNames.ofThisHost());
        KeyPair first = ServiceAccountKey.loadOrCreate(tmp.resolve("first"));
        ClusterCertificates.adoptCa(tmp.resolve("second"), tmp.resolve("first"));
        assertThat(ServiceAccountKey.loadOrCreate(tmp.resolve("second")).getPrivate()).isEqualTo(first.getPrivate());
    }

    @Test
    void serversWithTheSameTokenShareTheKeyThroughTheStore() throws Exception {
        try (MvccStore store = MvccStore.inMemory()) {
            SharedClusterCa.exchange(store, "secret", tmp.resolve("s1"));
            SharedClusterCa.exchange(store, "secret", tmp.resolve("s2"));
            assertThat(ServiceAccountKey.loadOrCreate(tmp.resolve("s2")).getPrivate())
                    .isEqualTo(ServiceAccountKey.loadOrCreate(tmp.resolve("s1")).getPrivate());
            ServiceAccountKey.loadOrCreate(tmp.resolve("s3"));
            assertThatThrownBy(() -> SharedClusterCa.exchange(store, "secret", tmp.resolve("s3")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another service-account key");
        }
    }

    @Test
    void anExistingKeyIsPublishedByTheFirstServer() throws Exception {
        KeyPair own = ServiceAccountKey.loadOrCreate(tmp.resolve("s1"));
        try (MvccStore store = MvccStore.inMemory()) {
            SharedClusterCa.exchange(store, "secret", tmp.resolve("s1"));
            SharedClusterCa.exchange(store, "secret", tmp.resolve("s2"));
            assertThat(ServiceAccountKey.loadOrCreate(tmp.resolve("s2")).getPrivate()).isEqualTo(own.getPrivate());
        }
    }
}

package dev.navis.apiserver.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterCertificatesTest {
    @TempDir
    Path dir;

    @Test
    void servingCertificateListsLoopbackHostAndServiceNames() {
        // interfaces come and go while the test runs (other tests make veths): compare with what was there throughout
        var before = new java.util.TreeSet<>(ServingNames.ofThisHost().canonical());
        ClusterCertificates pki = ClusterCertificates.loadOrCreate(dir.resolve("pki"), ServingNames.ofThisHost());
        before.retainAll(ServingNames.ofThisHost().canonical());

        assertThat(ClusterCertificates.namesOf(pki.serving())).contains("IP:127.0.0.1", "IP:0:0:0:0:0:0:0:1",
                "IP:10.43.0.1", "DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default",
                "DNS:kubernetes.default.svc", "DNS:kubernetes.default.svc.cluster.local");
        assertThat(ClusterCertificates.namesOf(pki.serving())).containsAll(before);
    }

    @Test
    void leafCertificatesChainToTheCa() throws Exception {
        ClusterCertificates pki = ClusterCertificates.loadOrCreate(dir.resolve("pki"), ServingNames.ofThisHost());

        for (X509Certificate leaf : List.of(pki.serving(), pki.admin())) {
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(pki.ca(), null)));
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
        }
        assertThat(pki.ca().getBasicConstraints()).isZero();
        assertThat(pki.serving().getBasicConstraints()).isEqualTo(-1);
        assertThat(pki.serving().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(pki.admin().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(pki.ca().getPublicKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void adminCertificateNamesUserAndGroupAsKubernetesReadsThem() {
        ClusterCertificates pki = ClusterCertificates.loadOrCreate(dir.resolve("pki"), ServingNames.ofThisHost());

        assertThat(pki.admin().getSubjectX500Principal().getName()).isEqualTo("CN=admin,O=system:masters");
    }

    @Test
    void keepsCertificatesOnLaterStartsAndKeysArePrivate() throws Exception {
        Path pki = dir.resolve("pki");
        ClusterCertificates first = ClusterCertificates.loadOrCreate(pki, ServingNames.ofThisHost());
        ClusterCertificates second = ClusterCertificates.loadOrCreate(pki, ServingNames.ofThisHost());

        assertThat(second.ca()).isEqualTo(first.ca());
        assertThat(second.serving()).isEqualTo(first.serving());
        assertThat(second.admin()).isEqualTo(first.admin());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki))).isEqualTo("rwx------");
        for (String key : List.of("ca.key", "apiserver.key", "admin.key")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.resolve(key)))).isEqualTo("rw-------");
        }
    }

    @Test
    void regeneratesOnlyTheServingCertificateWhenNamesChange() throws Exception {
        Path pki = dir.resolve("pki");
        ClusterCertificates first = ClusterCertificates.loadOrCreate(pki, ServingNames.ofThisHost());
        ServingNames more = new ServingNames(Set.of("localhost", "navis.example"),
                Set.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("192.0.2.7")));

        ClusterCertificates second = ClusterCertificates.loadOrCreate(pki, more);

        assertThat(second.ca()).isEqualTo(first.ca());
        assertThat(second.admin()).isEqualTo(first.admin());
        assertThat(second.serving()).isNotEqualTo(first.serving());
        assertThat(ClusterCertificates.namesOf(second.serving()))
                .containsExactlyInAnyOrder("DNS:localhost", "DNS:navis.example", "IP:127.0.0.1", "IP:192.0.2.7");
    }

    @Test
    void regeneratesLeavesWhenTheCaIsReplaced() throws Exception {
        Path pki = dir.resolve("pki");
        ClusterCertificates first = ClusterCertificates.loadOrCreate(pki, ServingNames.ofThisHost());
        Files.delete(pki.resolve("ca.key"));

        ClusterCertificates second = ClusterCertificates.loadOrCreate(pki, ServingNames.ofThisHost());

        assertThat(second.ca()).isNotEqualTo(first.ca());
        second.serving().verify(second.ca().getPublicKey());
        second.admin().verify(second.ca().getPublicKey());
    }

    @Test
    void keyStoresHoldTheKeyAndTrustStoreTheCa() throws Exception {
        ClusterCertificates pki = ClusterCertificates.loadOrCreate(dir.resolve("pki"), ServingNames.ofThisHost());
        char[] password = "secret".toCharArray();

        KeyStore serving = pki.servingKeyStore(password);
        assertThat(serving.getKey("key", password)).isEqualTo(pki.servingKey());
        assertThat(pki.trustStore().getCertificate("ca")).isEqualTo(pki.ca());
    }
}

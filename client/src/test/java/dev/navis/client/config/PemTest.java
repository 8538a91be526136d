package dev.navis.client.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import org.junit.jupiter.api.Test;

class PemTest {

    @Test
    void readsEcKeysInSec1AndPkcs8() throws Exception {
        KeyPair ec = TestPki.ec();
        String sec1 = TestPki.pem(ec);
        assertThat(sec1).contains("BEGIN EC PRIVATE KEY");
        PrivateKey fromSec1 = Pem.privateKey(sec1.getBytes(StandardCharsets.US_ASCII));
        assertThat(fromSec1.getAlgorithm()).isIn("EC", "ECDSA");
        assertThat(((ECPrivateKey) fromSec1).getS()).isEqualTo(((ECPrivateKey) ec.getPrivate()).getS());

        String pkcs8 = TestPki.pkcs8(ec.getPrivate());
        assertThat(pkcs8).contains("BEGIN PRIVATE KEY");
        assertThat(((ECPrivateKey) Pem.privateKey(pkcs8.getBytes(StandardCharsets.US_ASCII))).getS())
                .isEqualTo(((ECPrivateKey) ec.getPrivate()).getS());
    }

    @Test
    void readsRsaKeysInPkcs1AndPkcs8() throws Exception {
        KeyPair rsa = TestPki.rsa();
        String pkcs1 = TestPki.pem(rsa);
        assertThat(pkcs1).contains("BEGIN RSA PRIVATE KEY");
        assertThat(Pem.privateKey(pkcs1.getBytes(StandardCharsets.US_ASCII)).getAlgorithm()).isEqualTo("RSA");
        String pkcs8 = TestPki.pkcs8(rsa.getPrivate());
        assertThat(Pem.privateKey(pkcs8.getBytes(StandardCharsets.US_ASCII)).getEncoded())
                .isEqualTo(rsa.getPrivate().getEncoded());
    }

    @Test
    void readsCertificateBundlesInOrder() throws Exception {
        TestPki.Issued ca = TestPki.ca();
        TestPki.Issued leaf = TestPki.issue(ca, "CN=leaf", TestPki.ec(), false);
        String bundle = TestPki.pem(leaf.cert()) + TestPki.pem(ca.cert());
        assertThat(Pem.certificates(bundle.getBytes(StandardCharsets.US_ASCII)))
                .extracting(c -> c.getSubjectX500Principal().getName()).containsExactly("CN=leaf", "CN=navis-test-ca");
    }

    @Test
    void rejectsDataWithoutKeysOrCertificates() {
        assertThatThrownBy(() -> Pem.privateKey("hello".getBytes())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Pem.certificates("hello".getBytes())).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.navis.client.certificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JoinTokenTest {
    private static final byte[] CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
            .getBytes(StandardCharsets.US_ASCII);

    @Test
    void generatedTokenHasK3sFormAndParsesBack() {
        JoinToken token = JoinToken.generate(CA);
        String text = token.toString();
        assertThat(text).matches("K10[0-9a-f]{64}::[a-z0-9]{6}\\.[a-z0-9]{16}");
        assertThat(JoinToken.parse(text)).isEqualTo(token);
        assertThat(JoinToken.looksLikeJoinToken(text)).isTrue();
        assertThat(token.bootstrapToken()).isEqualTo(token.id() + "." + token.secret());
        assertThat(token.secretName()).isEqualTo("bootstrap-token-" + token.id());
    }

    @Test
    void caHashIsSha256OfTheBundleBytes() {
        // sha256("abc"), a published test vector
        assertThat(JoinToken.caHash("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        JoinToken token = JoinToken.generate(CA);
        assertThat(token.matchesCa(CA)).isTrue();
        assertThat(token.matchesCa("-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n"
                .getBytes(StandardCharsets.US_ASCII))).isFalse();
    }

    @Test
    void malformedTokensAreRefusedWithTheReason() {
        assertThatThrownBy(() -> JoinToken.parse("abcdef.0123456789abcdef"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("carries no CA hash");
        assertThatThrownBy(() -> JoinToken.parse("K10abc::abcdef.0123456789abcdef"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a join token");
        assertThatThrownBy(() -> JoinToken.parse("K10" + "0".repeat(64) + "::ABCDEF.0123456789abcdef"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(JoinToken.looksLikeJoinToken("some-static-bearer-token")).isFalse();
    }

    @Test
    void bootstrapSecretHasUpstreamsTypeAndKeys() {
        JoinToken token = new JoinToken("0".repeat(64), "abcdef", "0123456789abcdef");
        Secret secret = BootstrapTokens.secret(token, Duration.ofHours(24), Instant.parse("2026-01-01T00:00:00.5Z"), "x");
        assertThat(secret.getMetadata().getNamespace()).isEqualTo("kube-system");
        assertThat(secret.getMetadata().getName()).isEqualTo("bootstrap-token-abcdef");
        assertThat(secret.getType()).isEqualTo("bootstrap.kubernetes.io/token");
        assertThat(secret.getStringData()).containsEntry("token-id", "abcdef")
                .containsEntry("token-secret", "0123456789abcdef")
                .containsEntry("expiration", "2026-01-02T00:00:00Z")
                .containsEntry("usage-bootstrap-authentication", "true")
                .containsEntry("usage-bootstrap-signing", "true")
                .containsEntry("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token")
                .containsEntry("description", "x");
        assertThat(BootstrapTokens.secret(token, Duration.ZERO, Instant.now(), null).getStringData())
                .doesNotContainKey("expiration");
    }

    @Test
    void certificateRequestRoundTrips() throws Exception {
        var keys = CertificateRequests.newKeyPair();
        String pem = CertificateRequests.create(keys, "system:node:n1", List.of("system:nodes"), List.of("n1"),
                List.of(java.net.InetAddress.getByName("10.0.0.5")));
        var parsed = CertificateRequests.parse(pem.getBytes(StandardCharsets.US_ASCII));
        assertThat(parsed.commonName()).isEqualTo("system:node:n1");
        assertThat(parsed.organizations()).containsExactly("system:nodes");
        assertThat(parsed.dnsNames()).containsExactly("n1");
        assertThat(parsed.ipAddresses()).extracting(java.net.InetAddress::getHostAddress).containsExactly("10.0.0.5");
        assertThat(CertificateRequests.signatureValid(parsed.request())).isTrue();
        assertThatThrownBy(() -> CertificateRequests.parse(CA)).hasMessage("PEM block type must be CERTIFICATE REQUEST");
    }
}

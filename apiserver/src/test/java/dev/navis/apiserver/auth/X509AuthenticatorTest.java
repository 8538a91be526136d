package dev.navis.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import dev.navis.apiserver.certs.CertificateIssuer;

import org.junit.jupiter.api.Test;

class X509AuthenticatorTest {
    private final KeyPair caKeys = CertificateIssuer.newKeyPair();
    private final X509Certificate ca = CertificateIssuer.selfSignedCa("test-ca", caKeys, Duration.ofDays(1));

    @Test
    void commonNameIsTheUserAndOrganizationsAreGroupsInOrder() {
        X509Certificate cert = CertificateIssuer.clientCertificate(ca, caKeys.getPrivate(), "system:node:n1",
                List.of("system:nodes", "team, with comma"), CertificateIssuer.newKeyPair().getPublic(), Duration.ofDays(1));

        UserInfo user = new X509Authenticator(ca).userOf(cert);

        assertThat(user).isEqualTo(new UserInfo("system:node:n1", "",
                List.of("system:nodes", "team, with comma", "system:authenticated")));
    }

    @Test
    void certificateFromAnotherCaIsInvalid() {
        KeyPair otherKeys = CertificateIssuer.newKeyPair();
        X509Certificate otherCa = CertificateIssuer.selfSignedCa("other", otherKeys, Duration.ofDays(1));
        X509Certificate cert = CertificateIssuer.clientCertificate(otherCa, otherKeys.getPrivate(), "mallory", List.of(),
                CertificateIssuer.newKeyPair().getPublic(), Duration.ofDays(1));

        assertThatThrownBy(() -> new X509Authenticator(ca).userOf(cert)).isInstanceOf(AuthenticationException.class);
    }
}

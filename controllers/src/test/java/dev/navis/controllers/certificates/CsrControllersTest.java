package dev.navis.controllers.certificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.certificates.CertificateRequests;
import dev.navis.client.certificates.Signers;
import dev.navis.client.config.Pem;
import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.testing.FakeCluster;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** The csrapproving and csrsigning controllers against the fake API: one sync, exact actions. */
class CsrControllersTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final List<String> CLIENT_USAGES = List.of(Signers.DIGITAL_SIGNATURE, Signers.CLIENT_AUTH);
    private static final List<String> BOOTSTRAPPER = List.of("system:bootstrappers", "system:authenticated");

    private final FakeCluster cluster = new FakeCluster(NOW);
    private final CsrApprovingController approver =
            new CsrApprovingController(cluster.context(ControllerOptions.defaults()), cluster.clock);

    @Test
    void kubeletClientRequestFromABootstrapperIsApproved() {
        cluster.observe(csr("csr-a", request("system:node:n1", List.of("system:nodes"), List.of()),
                Signers.KUBE_APISERVER_CLIENT_KUBELET, CLIENT_USAGES, "system:bootstrap:abcdef", BOOTSTRAPPER));

        approver.sync("csr-a");

        assertThat(cluster.actions()).containsExactly("update certificatesigningrequests/approval csr-a");
        CertificateSigningRequestCondition approved = get("csr-a").getStatus().getConditions().get(0);
        assertThat(approved.getType()).isEqualTo("Approved");
        assertThat(approved.getStatus()).isEqualTo("True");
        assertThat(approved.getReason()).isEqualTo("AutoApproved");
        assertThat(approved.getMessage()).isEqualTo("Auto approving kubelet client certificate after SubjectAccessReview.");
    }

    @Test
    void nodeRenewingItsOwnClientCertificateIsApprovedAsSelfNodeClient() {
        cluster.observe(csr("csr-b", request("system:node:n1", List.of("system:nodes"), List.of()),
                Signers.KUBE_APISERVER_CLIENT_KUBELET, CLIENT_USAGES, "system:node:n1",
                List.of("system:nodes", "system:authenticated")));

        approver.sync("csr-b");

        assertThat(get("csr-b").getStatus().getConditions().get(0).getMessage())
                .isEqualTo("Auto approving self kubelet client certificate after SubjectAccessReview.");
    }

    @Test
    void requestsOutsideTheRulesAreLeftForAHuman() {
        // not a node name, another organization, SANs, other usages, another signer
        cluster.observe(csr("csr-c", request("jane", List.of("system:nodes"), List.of()),
                Signers.KUBE_APISERVER_CLIENT_KUBELET, CLIENT_USAGES, "system:bootstrap:abcdef", BOOTSTRAPPER));
        cluster.observe(csr("csr-d", request("system:node:n1", List.of("system:masters"), List.of()),
                Signers.KUBE_APISERVER_CLIENT_KUBELET, CLIENT_USAGES, "system:bootstrap:abcdef", BOOTSTRAPPER));
        cluster.observe(csr("csr-e", request("system:node:n1", List.of("system:nodes"), List.of("n1")),
                Signers.KUBE_APISERVER_CLIENT_KUBELET, CLIENT_USAGES, "system:bootstrap:abcdef", BOOTSTRAPPER));
        cluster.observe(csr("csr-f", request("system:node:n1", List.of("system:nodes"), List.of()),
                Signers.KUBE_APISERVER_CLIENT_KUBELET, List.of(Signers.DIGITAL_SIGNATURE, Signers.SERVER_AUTH),
                "system:bootstrap:abcdef", BOOTSTRAPPER));
        cluster.observe(csr("csr-g", request("system:node:n1", List.of("system:nodes"), List.of()),
                Signers.KUBE_APISERVER_CLIENT, CLIENT_USAGES, "system:bootstrap:abcdef", BOOTSTRAPPER));
        // another node's serving certificate
        cluster.observe(csr("csr-h", request("system:node:n2", List.of("system:nodes"), List.of("n2")),
                Signers.KUBELET_SERVING, List.of(Signers.DIGITAL_SIGNATURE, Signers.SERVER_AUTH), "system:node:n1",
                List.of("system:nodes")));

        for (String name : List.of("csr-c", "csr-d", "csr-e", "csr-f", "csr-g", "csr-h")) {
            approver.sync(name);
        }

        assertThat(cluster.actions()).isEmpty();
    }

    @Test
    void recognizedRequestFromAUserWithoutThePermissionIsRetried() {
        cluster.observe(csr("csr-i", request("system:node:n1", List.of("system:nodes"), List.of()),
                Signers.KUBE_APISERVER_CLIENT_KUBELET, CLIENT_USAGES, "jane", List.of("system:authenticated")));

        assertThatThrownBy(() -> approver.sync("csr-i")).hasMessageContaining("[nodeclient]");
        assertThat(cluster.actions()).isEmpty();
    }

    @Test
    void nodesOwnServingRequestIsApprovedAsSelfNodeServer() {
        cluster.observe(csr("csr-j", request("system:node:n1", List.of("system:nodes"), List.of("n1")),
                Signers.KUBELET_SERVING, List.of(Signers.DIGITAL_SIGNATURE, Signers.SERVER_AUTH), "system:node:n1",
                List.of("system:nodes")));

        approver.sync("csr-j");

        assertThat(cluster.actions()).containsExactly("update certificatesigningrequests/approval csr-j");
    }

    @Test
    void signerIssuesApprovedRequestsWithTheClusterCa() throws Exception {
        KeyPair caKeys = CertificateRequests.newKeyPair();
        X509Certificate ca = selfSignedCa(caKeys);
        CsrSigningController signer = new CsrSigningController(cluster.context(ControllerOptions.defaults()),
                new CertificateAuthority(ca, caKeys.getPrivate(), Duration.ofDays(365)), cluster.clock);
        cluster.observe(approved(csr("csr-k", request("system:node:n1", List.of("system:nodes"), List.of()),
                Signers.KUBE_APISERVER_CLIENT_KUBELET, CLIENT_USAGES, "system:bootstrap:abcdef", BOOTSTRAPPER)));
        cluster.observe(csr("csr-pending", request("system:node:n1", List.of("system:nodes"), List.of()),
                Signers.KUBE_APISERVER_CLIENT_KUBELET, CLIENT_USAGES, "system:bootstrap:abcdef", BOOTSTRAPPER));

        signer.sync("csr-k");
        signer.sync("csr-pending");

        assertThat(cluster.actions()).containsExactly("update certificatesigningrequests/status csr-k");
        X509Certificate issued = Pem.certificates(Base64.getDecoder().decode(get("csr-k").getStatus().getCertificate()))
                .get(0);
        issued.verify(ca.getPublicKey());
        assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:n1,O=system:nodes");
        assertThat(issued.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(issued.getNotBefore().toInstant()).isEqualTo(NOW.minus(CertificateAuthority.BACKDATE));
        assertThat(issued.getNotAfter().toInstant()).isEqualTo(NOW.plus(Duration.ofDays(365)));
    }

    @Test
    void signerFailsARequestItsSignerMustNotIssue() throws Exception {
        KeyPair caKeys = CertificateRequests.newKeyPair();
        CsrSigningController signer = new CsrSigningController(cluster.context(ControllerOptions.defaults()),
                new CertificateAuthority(selfSignedCa(caKeys), caKeys.getPrivate(), Duration.ofDays(365)), cluster.clock);
        // a serving request without any DNS or IP name
        cluster.observe(approved(csr("csr-l", request("system:node:n1", List.of("system:nodes"), List.of()),
                Signers.KUBELET_SERVING, List.of(Signers.DIGITAL_SIGNATURE, Signers.SERVER_AUTH), "admin",
                List.of("system:masters"))));

        signer.sync("csr-l");

        assertThat(cluster.actions()).containsExactly("update certificatesigningrequests/status csr-l");
        CertificateSigningRequest failed = get("csr-l");
        assertThat(failed.getStatus().getCertificate()).isNullOrEmpty();
        CertificateSigningRequestCondition condition = failed.getStatus().getConditions().get(1);
        assertThat(condition.getType()).isEqualTo("Failed");
        assertThat(condition.getReason()).isEqualTo("SignerValidationFailure");
        assertThat(condition.getMessage()).isEqualTo("DNS or IP subjectAltName is required");
    }

    @Test
    void requestedDurationShortensTheCertificate() throws Exception {
        KeyPair caKeys = CertificateRequests.newKeyPair();
        CertificateAuthority authority = new CertificateAuthority(selfSignedCa(caKeys), caKeys.getPrivate(),
                Duration.ofDays(365));
        var parsed = CertificateRequests.parse(request("jane", List.of(), List.of()).getBytes(StandardCharsets.US_ASCII));
        String pem = authority.sign(parsed.request(), CLIENT_USAGES, 3600, NOW);
        assertThat(Pem.certificates(pem.getBytes(StandardCharsets.US_ASCII)).get(0).getNotAfter().toInstant())
                .isEqualTo(NOW.plusSeconds(3600));
    }

    private CertificateSigningRequest get(String name) {
        return cluster.api.resource(CertificateSigningRequest.class).get(name);
    }

    private static String request(String cn, List<String> orgs, List<String> dnsNames) {
        try {
            return CertificateRequests.create(CertificateRequests.newKeyPair(), cn, orgs, dnsNames,
                    dnsNames.isEmpty() ? List.of() : List.of(InetAddress.getByName("10.0.0.1")));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CertificateSigningRequest csr(String name, String requestPem, String signer, List<String> usages,
                                                 String username, List<String> groups) {
        return new CertificateSigningRequestBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withRequest(Base64.getEncoder().encodeToString(requestPem.getBytes(StandardCharsets.US_ASCII)))
                .withSignerName(signer).withUsages(usages).withUsername(username).withGroups(groups).endSpec().build();
    }

    private static CertificateSigningRequest approved(CertificateSigningRequest csr) {
        return new CertificateSigningRequestBuilder(csr).withNewStatus().addNewCondition().withType("Approved")
                .withStatus("True").withReason("AutoApproved").endCondition().endStatus().build();
    }

    private static X509Certificate selfSignedCa(KeyPair keys) throws Exception {
        X500Principal subject = new X500Principal("CN=test-ca");
        var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.ONE, Date.from(NOW.minusSeconds(3600)),
                Date.from(NOW.plus(Duration.ofDays(3650))), subject, keys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }
}

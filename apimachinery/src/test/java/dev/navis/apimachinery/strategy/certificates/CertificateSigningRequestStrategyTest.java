package dev.navis.apimachinery.strategy.certificates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class CertificateSigningRequestStrategyTest {
    private final CertificateSigningRequestStrategy strategy = new CertificateSigningRequestStrategy();

    @Test
    void validRequestPasses() throws Exception {
        assertThat(strategy.validate(csr(request(), "kubernetes.io/kube-apiserver-client-kubelet",
                "[\"digital signature\",\"client auth\"]", ""))).isEmpty();
    }

    @Test
    void badRequestSignerUsagesAndDurationAreReportedByField() throws Exception {
        String notACsr = Base64.getEncoder().encodeToString("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
                .getBytes(StandardCharsets.US_ASCII));
        List<String> fields = strategy.validate(csr(notACsr, "no-slash", "[\"client auth\",\"client auth\",\"flying\"]",
                ",\"expirationSeconds\":60")).stream().map(FieldError::field).toList();
        assertThat(fields).containsExactly("spec.request", "spec.signerName", "spec.usages[1]", "spec.usages[2]",
                "spec.expirationSeconds");
        assertThat(strategy.validate(csr(request(), "kubernetes.io/legacy-unknown", "[\"client auth\"]", "")))
                .extracting(FieldError::detail).containsExactly("the legacy signerName is not allowed via this API version");
        assertThat(strategy.validate(csr(request(), "example.com/signer", "[]", "")))
                .extracting(FieldError::field).containsExactly("spec.usages");
    }

    @Test
    void approvedAndDeniedExcludeEachOther() throws Exception {
        ObjectNode o = csr(request(), "example.com/signer", "[\"client auth\"]", "");
        o.set("status", Nodes.parse("{\"conditions\":[{\"type\":\"Approved\",\"status\":\"True\"},"
                + "{\"type\":\"Denied\",\"status\":\"True\"}]}"));
        assertThat(strategy.validate(o)).extracting(FieldError::detail)
                .containsExactly("Approved and Denied conditions are mutually exclusive");
    }

    @Test
    void tableShowsUpstreamsColumnsAndCondition() throws Exception {
        assertThat(strategy.columns()).extracting(c -> c.name())
                .containsExactly("Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition");
        ObjectNode o = csr(request(), "kubernetes.io/kube-apiserver-client", "[\"client auth\"]",
                ",\"expirationSeconds\":3600,\"username\":\"jane\"");
        assertThat(strategy.cells(o, Instant.parse("2026-01-01T12:00:00Z")))
                .containsExactly("csr-1", "120m", "kubernetes.io/kube-apiserver-client", "jane", "60m", "Pending");
        assertThat(CertificateSigningRequestStrategy.condition(Nodes.parse(
                "{\"conditions\":[{\"type\":\"Approved\",\"status\":\"True\"}],\"certificate\":\"eA==\"}")))
                .isEqualTo("Approved,Issued");
        assertThat(CertificateSigningRequestStrategy.condition(Nodes.parse(
                "{\"conditions\":[{\"type\":\"Approved\"},{\"type\":\"Failed\"}]}"))).isEqualTo("Approved,Failed");
        assertThat(CertificateSigningRequestStrategy.condition(Nodes.parse("{\"conditions\":[{\"type\":\"Denied\"}]}")))
                .isEqualTo("Denied");
    }

    private static ObjectNode csr(String request, String signer, String usages, String extraSpec) {
        return Nodes.parse("{\"apiVersion\":\"certificates.k8s.io/v1\",\"kind\":\"CertificateSigningRequest\","
                + "\"metadata\":{\"name\":\"csr-1\",\"creationTimestamp\":\"2026-01-01T10:00:00Z\"},\"spec\":{\"request\":\""
                + request + "\",\"signerName\":\"" + signer + "\",\"usages\":" + usages + extraSpec + "}}");
    }

    private static String request() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        var keys = generator.generateKeyPair();
        var req = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=jane"), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(req.getEncoded())
                + "\n-----END CERTIFICATE REQUEST-----\n";
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }
}

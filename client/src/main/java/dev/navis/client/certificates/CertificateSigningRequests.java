package dev.navis.client.certificates;

import dev.navis.client.KubeClient;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * client-go's certificate/csr helpers: submit a CertificateSigningRequest and wait until it is issued, denied or
 * failed. Names are generated ({@code csr-xxxxx}) as the kubelet's are.
 */
public final class CertificateSigningRequests {
    public static final String APPROVED = "Approved";
    public static final String DENIED = "Denied";
    public static final String FAILED = "Failed";

    private CertificateSigningRequests() {
    }

    /** Creates a request for {@code requestPem} with {@code signerName} and {@code usages}; returns the stored object. */
    public static CertificateSigningRequest submit(KubeClient client, String requestPem, String signerName,
                                                   List<String> usages) {
        CertificateSigningRequest csr = new CertificateSigningRequestBuilder().withNewMetadata().withGenerateName("csr-")
                .endMetadata().withNewSpec()
                .withRequest(Base64.getEncoder().encodeToString(requestPem.getBytes(StandardCharsets.US_ASCII)))
                .withSignerName(signerName).withUsages(usages).endSpec().build();
        return client.resource(CertificateSigningRequest.class).create(csr);
    }

    /**
     * Polls the request until it carries a certificate; returns the certificate PEM.
     *
     * @throws IllegalStateException when it was denied or failed, or {@code timeout} passed
     */
    public static byte[] awaitCertificate(KubeClient client, String name, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            CertificateSigningRequest csr = client.resource(CertificateSigningRequest.class).get(name);
            if (csr.getStatus() != null) {
                for (CertificateSigningRequestCondition c : csr.getStatus().getConditions()) {
                    if (DENIED.equals(c.getType()) || FAILED.equals(c.getType())) {
                        throw new IllegalStateException("certificate signing request " + name + " is "
                                + c.getType().toLowerCase(java.util.Locale.ROOT) + ", reason: " + c.getReason()
                                + ", message: " + c.getMessage());
                    }
                }
                String certificate = csr.getStatus().getCertificate();
                if (certificate != null && !certificate.isEmpty()) {
                    return Base64.getDecoder().decode(certificate);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for certificate signing request "
                        + name + " to be approved and signed");
            }
            Thread.sleep(200);
        }
    }
}

package dev.navis.controllers.certificates;

import dev.navis.client.KubeClient;
import dev.navis.client.certificates.CertificateRequests;
import dev.navis.client.certificates.CertificateSigningRequests;
import dev.navis.client.certificates.Signers;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's csrsigning controller (pkg/controller/certificates/signer): signs approved requests of the signers
 * kubernetes.io/kube-apiserver-client-kubelet, kubernetes.io/kubelet-serving and kubernetes.io/kube-apiserver-client
 * with the cluster CA and writes the certificate to status.certificate. A request its signer must not issue gets a
 * Failed condition (reason SignerValidationFailure) instead. Without a CA ({@code --cluster-signing-cert-file}
 * unset) it signs nothing.
 */
public final class CsrSigningController implements Controller {
    public static final int DEFAULT_WORKERS = 1;
    static final String FAILURE_REASON = "SignerValidationFailure";
    private static final Logger LOG = LoggerFactory.getLogger(CsrSigningController.class);
    private static final List<String> SIGNERS = List.of(Signers.KUBE_APISERVER_CLIENT_KUBELET, Signers.KUBELET_SERVING,
            Signers.KUBE_APISERVER_CLIENT);

    private final KubeClient client;
    private final Lister<CertificateSigningRequest> lister;
    private final CertificateAuthority authority;
    private final Clock clock;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    /** From the manager's options: the CA in {@code options().clusterSigning()}, if any. */
    public CsrSigningController(ControllerContext context) {
        this(context, context.options().clusterSigning() == null ? null
                : CertificateAuthority.load(context.options().clusterSigning()), Clock.SYSTEM);
    }

    CsrSigningController(ControllerContext context, CertificateAuthority authority, Clock clock) {
        this.client = context.client();
        this.authority = authority;
        this.clock = clock;
        this.queue = new RateLimitingQueue<>("csrsigning", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.workers = new Workers<>("csrsigning", queue, this::sync, 0);
        SharedIndexInformer<CertificateSigningRequest> informer =
                context.informers().informer(CertificateSigningRequest.class);
        this.lister = informer.lister();
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CertificateSigningRequest csr) {
                queue.add(csr.getMetadata().getName());
            }

            @Override
            public void onUpdate(CertificateSigningRequest oldCsr, CertificateSigningRequest newCsr) {
                queue.add(newCsr.getMetadata().getName());
            }
        });
    }

    @Override
    public void run(int count) {
        if (authority == null) {
            LOG.info("csrsigning: no cluster signing CA (--cluster-signing-cert-file): approved requests stay unsigned");
            return;
        }
        workers.start(count);
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
    }

    /** Signs the request {@code name} if it is approved, not failed, unsigned and for one of the signers here. */
    void sync(String name) {
        CertificateSigningRequest cached = lister.get(name);
        if (cached == null || cached.getSpec() == null || authority == null
                || !CsrApprovingController.hasCondition(cached, CertificateSigningRequests.APPROVED)
                || CsrApprovingController.hasCondition(cached, CertificateSigningRequests.FAILED)
                || CsrApprovingController.hasCertificate(cached)
                || !SIGNERS.contains(cached.getSpec().getSignerName())) {
            return;
        }
        CertificateRequests.Parsed parsed;
        try {
            parsed = CertificateRequests.parse(Base64.getDecoder().decode(cached.getSpec().getRequest()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("unable to parse csr \"" + name + "\": " + e.getMessage());
        }
        List<String> usages = cached.getSpec().getUsages() == null ? List.of() : cached.getSpec().getUsages();
        String problem = switch (cached.getSpec().getSignerName()) {
            case Signers.KUBE_APISERVER_CLIENT_KUBELET -> CsrRules.kubeletClientProblem(parsed, usages);
            case Signers.KUBELET_SERVING -> CsrRules.kubeletServingProblem(parsed, usages);
            default -> CsrRules.apiServerClientProblem(usages);
        };
        if (problem == null && !CertificateRequests.signatureValid(parsed.request())) {
            problem = "the request's signature does not verify with its public key";
        }
        CertificateSigningRequest csr = dev.navis.client.Json.deepCopy(cached);
        if (problem != null) {
            csr.getStatus().getConditions().add(new CertificateSigningRequestConditionBuilder()
                    .withType(CertificateSigningRequests.FAILED).withStatus("True").withReason(FAILURE_REASON)
                    .withMessage(problem).withLastUpdateTime(timestamp()).build());
        } else {
            String pem = authority.sign(parsed.request(), usages, cached.getSpec().getExpirationSeconds(), clock.now());
            csr.getStatus().setCertificate(Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)));
        }
        client.resource(CertificateSigningRequest.class).updateStatus(csr);
    }

    private String timestamp() {
        return java.time.format.DateTimeFormatter.ISO_INSTANT.format(
                clock.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }
}

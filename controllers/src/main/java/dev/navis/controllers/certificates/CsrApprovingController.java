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
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestStatus;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * Upstream's csrapproving controller (pkg/controller/certificates/approver, sarapprove.go): approves
 * kubernetes.io/kube-apiserver-client-kubelet requests that are valid kubelet client requests (CN=system:node:NAME,
 * O=system:nodes, no SANs, the client usages) — "selfnodeclient" when the requester is that node renewing, else
 * "nodeclient" — with reason AutoApproved. Upstream asks a SubjectAccessReview whether the requester may create
 * certificatesigningrequests/nodeclient (or selfnodeclient); until Navis authorizes with RBAC, the answer is
 * the default bindings of kubeadm and k3s: nodeclient for group system:bootstrappers, selfnodeclient for
 * system:nodes, both for system:masters. It also approves a node's own kubelet-serving request (the older
 * "selfnodeserver" rule). Requests it does not recognize are left for a human ({@code kubectl certificate approve}).
 */
public final class CsrApprovingController implements Controller {
    public static final int DEFAULT_WORKERS = 1;
    static final String REASON = "AutoApproved";

    /** One recognizer: what it matches, who may have it approved, and the message upstream writes. */
    private record Recognizer(String subresource, Predicate<Request> recognizes, List<String> allowedGroups,
                              String message) {
    }

    /** A request with its parsed PKCS#10 form. */
    private record Request(CertificateSigningRequest csr, CertificateRequests.Parsed parsed) {
    }

    private static final List<Recognizer> RECOGNIZERS = List.of(
            new Recognizer("selfnodeclient", r -> isNodeClientCert(r)
                    && r.parsed().commonName().equals(r.csr().getSpec().getUsername()),
                    List.of(Signers.NODES_GROUP, "system:masters"),
                    "Auto approving self kubelet client certificate after SubjectAccessReview."),
            new Recognizer("nodeclient", CsrApprovingController::isNodeClientCert,
                    List.of("system:bootstrappers", "system:masters"),
                    "Auto approving kubelet client certificate after SubjectAccessReview."),
            new Recognizer("selfnodeserver", CsrApprovingController::isSelfNodeServerCert,
                    List.of(Signers.NODES_GROUP, "system:masters"),
                    "Auto approving self kubelet server certificate after SubjectAccessReview."));

    private final KubeClient client;
    private final Lister<CertificateSigningRequest> lister;
    private final Clock clock;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public CsrApprovingController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    CsrApprovingController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.clock = clock;
        this.queue = new RateLimitingQueue<>("csrapproving", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.workers = new Workers<>("csrapproving", queue, this::sync, 0);
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
        workers.start(count);
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
    }

    /** Approves the request {@code name} when a recognizer matches and its requester is allowed. */
    void sync(String name) {
        CertificateSigningRequest cached = lister.get(name);
        if (cached == null || cached.getSpec() == null || hasCertificate(cached) || isApprovedOrDenied(cached)) {
            return;
        }
        CertificateRequests.Parsed parsed;
        try {
            parsed = CertificateRequests.parse(Base64.getDecoder().decode(cached.getSpec().getRequest()));
        } catch (IllegalArgumentException e) {
            return; // upstream: "unable to parse csr" — validation keeps such requests out of the API
        }
        Request request = new Request(cached, parsed);
        List<String> tried = new ArrayList<>();
        List<String> groups = cached.getSpec().getGroups() == null ? List.of() : cached.getSpec().getGroups();
        for (Recognizer recognizer : RECOGNIZERS) {
            if (!recognizer.recognizes().test(request)) {
                continue;
            }
            tried.add(recognizer.subresource());
            if (groups.stream().anyMatch(recognizer.allowedGroups()::contains)) {
                approve(cached, recognizer.message());
                return;
            }
        }
        if (!tried.isEmpty()) {
            throw new IllegalStateException("recognized csr \"" + name + "\" as " + tried
                    + " but subject access review was not approved");
        }
    }

    private void approve(CertificateSigningRequest cached, String message) {
        CertificateSigningRequest csr = dev.navis.client.Json.deepCopy(cached);
        if (csr.getStatus() == null) {
            csr.setStatus(new CertificateSigningRequestStatus());
        }
        String now = java.time.format.DateTimeFormatter.ISO_INSTANT.format(
                clock.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        csr.getStatus().getConditions().add(new CertificateSigningRequestConditionBuilder().withType(
                CertificateSigningRequests.APPROVED).withStatus("True").withReason(REASON).withMessage(message)
                .withLastUpdateTime(now).build());
        client.resource(CertificateSigningRequest.class).updateSubresource(csr.getMetadata().getName(), "approval", csr,
                CertificateSigningRequest.class);
    }

    /** isNodeClientCert: the kubelet client signer and a valid kubelet client request. */
    static boolean isNodeClientCert(Request r) {
        return Signers.KUBE_APISERVER_CLIENT_KUBELET.equals(r.csr().getSpec().getSignerName())
                && CsrRules.kubeletClientProblem(r.parsed(), r.csr().getSpec().getUsages()) == null;
    }

    /**
     * isSelfNodeServerCert (upstream's older "selfnodeserver" recognizer, which the default approver no longer has;
     * Navis keeps it so joined nodes get serving certificates without a human): a node asking for its own kubelet
     * serving certificate.
     */
    static boolean isSelfNodeServerCert(Request r) {
        return Signers.KUBELET_SERVING.equals(r.csr().getSpec().getSignerName())
                && CsrRules.kubeletServingProblem(r.parsed(), r.csr().getSpec().getUsages()) == null
                && r.parsed().commonName().equals(r.csr().getSpec().getUsername());
    }

    static boolean hasCertificate(CertificateSigningRequest csr) {
        return csr.getStatus() != null && csr.getStatus().getCertificate() != null
                && !csr.getStatus().getCertificate().isEmpty();
    }

    static boolean isApprovedOrDenied(CertificateSigningRequest csr) {
        return hasCondition(csr, CertificateSigningRequests.APPROVED) || hasCondition(csr, CertificateSigningRequests.DENIED);
    }

    static boolean hasCondition(CertificateSigningRequest csr, String type) {
        if (csr.getStatus() == null) {
            return false;
        }
        for (CertificateSigningRequestCondition c : csr.getStatus().getConditions()) {
            if (type.equals(c.getType()) && !"False".equals(c.getStatus())) {
                return true;
            }
        }
        return false;
    }
}

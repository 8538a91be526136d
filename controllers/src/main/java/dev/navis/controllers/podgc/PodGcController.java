package dev.navis.controllers.podgc;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.informer.Lister;
import dev.navis.client.util.Clock;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.util.PodConditions;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's pod garbage collector (pkg/controller/podgc). Every 20 s ({@link #gc}) it force-deletes
 * (grace period 0):
 * <ul>
 *   <li>terminated pods (phase neither Pending, Running nor Unknown) beyond --terminated-pod-gc-threshold,
 *       evicted ones first, then the oldest;</li>
 *   <li>pods bound to a node that does not exist, once the node has been missing from the cache for a
 *       40 s quarantine and a live GET confirms it is gone; they are first marked Failed with the
 *       DisruptionTarget condition (DeletionByPodGC, "PodGC: node no longer exists");</li>
 *   <li>terminating pods that were never scheduled.</li>
 * </ul>
 */
public final class PodGcController implements Controller {

    private static final Logger LOG = LoggerFactory.getLogger(PodGcController.class);
    static final Duration GC_PERIOD = Duration.ofSeconds(20);
    static final Duration QUARANTINE = Duration.ofSeconds(40);

    private final KubeClient client;
    private final Clock clock;
    private final Lister<Pod> pods;
    private final Lister<Node> nodes;
    private final int threshold;
    /** Missing node name to when it was first seen missing (clock nanos). */
    private final Map<String, Long> quarantine = new ConcurrentHashMap<>();
    private volatile Thread loop;

    public PodGcController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    PodGcController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.clock = clock;
        this.pods = context.informers().lister(Pod.class);
        this.nodes = context.informers().lister(Node.class);
        this.threshold = context.options().terminatedPodGcThreshold();
    }

    @Override
    public void run(int workers) {
        loop = Thread.ofPlatform().daemon().name("pod-garbage-collector").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    gc();
                } catch (RuntimeException e) {
                    LOG.warn("pod garbage collection failed: {}", e.toString());
                }
                try {
                    clock.sleep(GC_PERIOD.toNanos());
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    @Override
    public void stop() throws InterruptedException {
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            t.join();
        }
    }

    /** One pass of upstream's gc. */
    void gc() {
        List<Pod> all = new ArrayList<>(pods.list());
        all.sort(Comparator.comparing(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()));
        if (threshold > 0) {
            gcTerminated(all);
        }
        gcOrphaned(all);
        gcUnscheduledTerminating(all);
    }

    private void gcTerminated(List<Pod> all) {
        List<Pod> terminated = new ArrayList<>();
        for (Pod p : all) {
            String phase = PodConditions.phase(p);
            if (!phase.isEmpty() && !"Pending".equals(phase) && !"Running".equals(phase) && !"Unknown".equals(phase)) {
                terminated.add(p);
            }
        }
        int excess = terminated.size() - threshold;
        if (excess <= 0) {
            return;
        }
        terminated.sort(Comparator.comparing((Pod p) -> !"Evicted".equals(p.getStatus().getReason()))
                .thenComparing(p -> PodConditions.created(p))
                .thenComparing(p -> p.getMetadata().getName()));
        for (int i = 0; i < excess; i++) {
            forceDelete(terminated.get(i));
        }
    }

    private void gcOrphaned(List<Pod> all) {
        Set<String> existing = new HashSet<>();
        nodes.list().forEach(n -> existing.add(n.getMetadata().getName()));
        long now = clock.nanoTime();
        Set<String> missing = new HashSet<>();
        for (Pod p : all) {
            String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
            if (node != null && !node.isEmpty() && !existing.contains(node)) {
                missing.add(node);
                quarantine.putIfAbsent(node, now);
            }
        }
        quarantine.keySet().retainAll(missing); // came back, or no pod left on it
        Set<String> deleted = new HashSet<>();
        for (var e : quarantine.entrySet()) {
            if (now - e.getValue() < QUARANTINE.toNanos()) {
                continue;
            }
            try {
                client.nodes().get(e.getKey());
                quarantine.remove(e.getKey()); // it exists: the cache was behind
            } catch (ApiException ex) {
                if (!ex.isNotFound()) {
                    throw ex;
                }
                deleted.add(e.getKey());
            }
        }
        for (Pod p : all) {
            if (p.getSpec() != null && deleted.contains(p.getSpec().getNodeName())) {
                markFailedAndDelete(p, "DeletionByPodGC", "PodGC: node no longer exists");
            }
        }
        deleted.forEach(quarantine::remove);
    }

    private void gcUnscheduledTerminating(List<Pod> all) {
        for (Pod p : all) {
            String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
            if (p.getMetadata().getDeletionTimestamp() != null && (node == null || node.isEmpty())) {
                forceDelete(p);
            }
        }
    }

    /** Upstream's markFailedAndDeletePodWithCondition: phase Failed (unless terminal) and the condition, then delete. */
    private void markFailedAndDelete(Pod pod, String reason, String message) {
        String phase = PodConditions.phase(pod);
        if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
            Pod copy = Json.deepCopy(pod);
            if (copy.getStatus() == null) {
                copy.setStatus(new PodStatus());
            }
            copy.getStatus().setPhase("Failed");
            List<PodCondition> conditions = new ArrayList<>();
            if (copy.getStatus().getConditions() != null) {
                copy.getStatus().getConditions().stream().filter(c -> !"DisruptionTarget".equals(c.getType()))
                        .forEach(conditions::add);
            }
            PodCondition c = new PodCondition();
            c.setType("DisruptionTarget");
            c.setStatus("True");
            c.setReason(reason);
            c.setMessage(message);
            c.setLastTransitionTime(DateTimeFormatter.ISO_INSTANT.format(clock.now().truncatedTo(ChronoUnit.SECONDS)));
            conditions.add(c);
            copy.getStatus().setConditions(conditions);
            try {
                client.pods().namespace(pod.getMetadata().getNamespace()).updateStatus(copy);
            } catch (ApiException e) {
                if (e.isNotFound()) {
                    return;
                }
                throw e;
            }
        }
        forceDelete(pod);
    }

    private void forceDelete(Pod pod) {
        DeleteOptions options = new DeleteOptions();
        options.setGracePeriodSeconds(0L);
        try {
            client.pods().namespace(pod.getMetadata().getNamespace()).delete(pod.getMetadata().getName(), options);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }
}

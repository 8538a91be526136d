package dev.navis.controllers.tainteviction;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.informer.Indexers;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.util.Clock;
import dev.navis.client.util.Tolerations;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.nodelifecycle.Taints;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream's taint eviction controller (pkg/controller/tainteviction): deletes pods bound to nodes with
 * NoExecute taints they do not tolerate. A pod that tolerates every such taint is deleted after the smallest
 * {@code tolerationSeconds} among the matching tolerations (never, when one of them has none), counted from
 * when this controller first saw the pod on the tainted node; the timer is cancelled when the taints go.
 *
 * <p>Pod and node events queue pod keys; the worker re-reads both and either deletes the pod (after adding
 * the DisruptionTarget condition, reason DeletionByTaintManager, as upstream) or re-queues the key for the
 * moment its toleration runs out, so the timers run on the work queue's clock.
 */
public final class TaintEvictionController implements Controller {

    public static final int DEFAULT_WORKERS = 8;

    private final KubeClient client;
    private final EventRecorder recorder;
    private final Clock clock;
    private final Lister<Node> nodes;
    private final Lister<Pod> pods;
    private final SharedIndexInformer<Pod> podInformer;
    /** Pod key to when its eviction timer started (clock nanos). */
    private final Map<String, Long> timers = new ConcurrentHashMap<>();
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public TaintEvictionController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    TaintEvictionController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.recorder = context.recorder("taint-eviction-controller");
        this.clock = clock;
        this.nodes = context.informers().lister(Node.class);
        this.podInformer = context.informers().informer(Pod.class);
        if (!podInformer.indexer().hasIndex(Indexers.NODE_NAME)) {
            podInformer.addIndexer(Indexers.NODE_NAME, Indexers.podNodeName());
        }
        this.pods = podInformer.lister();
        this.queue = new RateLimitingQueue<>("taint-eviction", RateLimiters.defaultControllerRateLimiter(), clock);
        this.workers = new Workers<>("taint-eviction", queue, this::sync, 0);
        podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                queue.add(Keys.of(p));
            }

            @Override
            public void onUpdate(Pod o, Pod n) {
                if (!Objects.equals(o.getSpec().getNodeName(), n.getSpec().getNodeName())
                        || !Objects.equals(o.getSpec().getTolerations(), n.getSpec().getTolerations())) {
                    queue.add(Keys.of(n));
                }
            }

            @Override
            public void onDelete(Pod p, boolean finalStateUnknown) {
                timers.remove(Keys.of(p));
            }
        });
        context.informers().informer(Node.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                if (!noExecuteTaints(n).isEmpty()) {
                    queuePodsOn(n);
                }
            }

            @Override
            public void onUpdate(Node o, Node n) {
                if (!noExecuteTaints(o).equals(noExecuteTaints(n))) {
                    queuePodsOn(n);
                }
            }
        });
    }

    private void queuePodsOn(Node n) {
        for (Pod p : podInformer.indexer().byIndex(Indexers.NODE_NAME, n.getMetadata().getName())) {
            queue.add(Keys.of(p));
        }
    }

    @Override
    public void run(int count) {
        workers.start(count);
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
    }

    /** Upstream's processPodOnNode for the pod under {@code key}. */
    void sync(String key) {
        Pod pod = pods.getByKey(key);
        if (pod == null) {
            timers.remove(key);
            return;
        }
        String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        Node node = nodeName == null || nodeName.isEmpty() ? null : nodes.get(nodeName);
        List<Taint> taints = node == null ? List.of() : noExecuteTaints(node);
        if (taints.isEmpty() || pod.getMetadata().getDeletionTimestamp() != null) {
            cancel(key, pod);
            return;
        }
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
        long minSeconds = Long.MAX_VALUE; // forever
        for (Taint taint : taints) {
            Toleration used = null;
            long seconds = Long.MAX_VALUE;
            for (Toleration t : tolerations) {
                if (Tolerations.tolerates(t, taint)) {
                    long s = t.getTolerationSeconds() == null ? Long.MAX_VALUE : Math.max(0, t.getTolerationSeconds());
                    if (used == null || s < seconds) {
                        used = t;
                        seconds = s;
                    }
                }
            }
            if (used == null) {
                evict(key, pod); // a taint it does not tolerate: at once
                return;
            }
            minSeconds = Math.min(minSeconds, seconds);
        }
        if (minSeconds == Long.MAX_VALUE) {
            cancel(key, pod);
            return;
        }
        long now = clock.nanoTime();
        long start = timers.computeIfAbsent(key, k -> now);
        long due = start + Duration.ofSeconds(minSeconds).toNanos();
        if (now >= due) {
            evict(key, pod);
        } else {
            queue.addAfter(key, Duration.ofNanos(due - now));
        }
    }

    private void cancel(String key, Pod pod) {
        if (timers.remove(key) != null) {
            recorder.eventf(pod, EventRecorder.NORMAL, "TaintManagerEviction", "Cancelling deletion of Pod %s", key);
        }
    }

    private void evict(String key, Pod pod) {
        recorder.eventf(pod, EventRecorder.NORMAL, "TaintManagerEviction", "Marking for deletion Pod %s", key);
        var api = client.pods().namespace(pod.getMetadata().getNamespace());
        try {
            Pod copy = Json.deepCopy(pod);
            if (copy.getStatus() == null) {
                copy.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
            }
            PodCondition c = new PodCondition();
            c.setType("DisruptionTarget");
            c.setStatus("True");
            c.setReason("DeletionByTaintManager");
            c.setMessage("Taint manager: deleting due to NoExecute taint");
            c.setLastTransitionTime(DateTimeFormatter.ISO_INSTANT.format(clock.now().truncatedTo(ChronoUnit.SECONDS)));
            List<PodCondition> conditions = new ArrayList<>();
            if (copy.getStatus().getConditions() != null) {
                copy.getStatus().getConditions().stream().filter(x -> !"DisruptionTarget".equals(x.getType()))
                        .forEach(conditions::add);
            }
            conditions.add(c);
            copy.getStatus().setConditions(conditions);
            api.updateStatus(copy);
            api.delete(pod.getMetadata().getName());
            timers.remove(key);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            timers.remove(key);
        }
    }

    private static List<Taint> noExecuteTaints(Node n) {
        return Taints.taints(n).stream().filter(t -> Taints.NO_EXECUTE.equals(t.getEffect())).toList();
    }
}

package dev.navis.controllers.resourcequota;

import dev.navis.api.quota.QuotaUsage;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.ResourceRef;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.util.StatusWrites;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.math.BigDecimal;
import java.time.Instant;
import tools.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Upstream's resourcequota-controller (pkg/controller/resourcequota): keeps each ResourceQuota's
 * {@code status.hard} equal to {@code spec.hard} and {@code status.used} equal to what the namespace's
 * objects use of the resources named in hard — object counts ({@code pods}, {@code services},
 * {@code count/deployments.apps}, ...), {@code services.nodeports}/{@code services.loadbalancers},
 * {@code requests.storage} of claims, and the compute requests and limits of pods that are not terminal.
 * Quotas of a namespace are recomputed when an object counted there is added, deleted or (pods, services,
 * claims) changed; the status is written only when it changed. Scopes Terminating, NotTerminating,
 * BestEffort and NotBestEffort restrict pods; a scoped quota counts no other kind, as upstream.
 */
public final class ResourceQuotaController implements Controller {

    /** Upstream's --concurrent-resource-quota-syncs. */
    public static final int DEFAULT_WORKERS = 5;

    /** The kinds counted by {@code count/<resource>[.<group>]}; core kinds also by their legacy name. */
    private static final List<Class<? extends HasMetadata>> COUNTED = List.of(Pod.class, Service.class, ConfigMap.class,
            Secret.class, PersistentVolumeClaim.class, ReplicationController.class, ResourceQuota.class,
            Deployment.class, ReplicaSet.class, StatefulSet.class, DaemonSet.class, Job.class, CronJob.class);

    private final KubeClient client;
    private final Clock clock;
    private final SharedInformerFactory informers;
    private final Lister<ResourceQuota> quotas;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public ResourceQuotaController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    ResourceQuotaController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.clock = clock;
        this.informers = context.informers();
        this.quotas = informers.lister(ResourceQuota.class);
        this.queue = new RateLimitingQueue<>("resourcequota_primary", RateLimiters.defaultControllerRateLimiter(clock),
                clock);
        this.workers = new Workers<>("resourcequota", queue, this::sync, 0);
        informers.informer(ResourceQuota.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onUpdate(ResourceQuota oldQuota, ResourceQuota newQuota) {
                if (!sameQuantities(hard(oldQuota), hard(newQuota))) {
                    queue.add(Keys.of(newQuota));
                }
            }
        });
        for (Class<? extends HasMetadata> type : COUNTED) {
            watchCounted(type);
        }
    }

    private <T extends HasMetadata> void watchCounted(Class<T> type) {
        boolean usageChangesOnUpdate = type == Pod.class || type == Service.class || type == PersistentVolumeClaim.class;
        informers.informer(type).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                enqueueNamespace(object.getMetadata().getNamespace());
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                if (usageChangesOnUpdate && !Objects.equals(oldObject.getMetadata().getResourceVersion(),
                        newObject.getMetadata().getResourceVersion())) {
                    enqueueNamespace(newObject.getMetadata().getNamespace());
                }
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                enqueueNamespace(object.getMetadata().getNamespace());
            }
        });
    }

    /** Upstream's replenishment: every quota of the namespace is recomputed. */
    private void enqueueNamespace(String namespace) {
        for (ResourceQuota quota : quotas.namespace(namespace).list()) {
            queue.add(Keys.of(quota));
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

    /** Recomputes the status of quota {@code key}; writes it when hard or used changed. */
    void sync(String key) {
        ResourceQuota quota = quotas.getByKey(key);
        if (quota == null) {
            return;
        }
        Map<String, Quantity> hard = hard(quota);
        ResourceQuotaStatus old = quota.getStatus();
        Map<String, Quantity> oldUsed = old == null || old.getUsed() == null ? Map.of() : old.getUsed();
        Map<String, Quantity> used = new TreeMap<>();
        // Resources no evaluator knows keep whatever was there, masked to hard (upstream's quota.Mask).
        oldUsed.forEach((name, q) -> {
            if (hard.containsKey(name)) {
                used.put(name, q);
            }
        });
        used.putAll(usage(quota, hard.keySet()));
        boolean dirty = old == null || old.getHard() == null || old.getUsed() == null
                || !sameQuantities(hard, old.getHard()) || !sameQuantities(used, oldUsed);
        if (!dirty) {
            return;
        }
        ResourceQuotaStatus status = new ResourceQuotaStatus(new TreeMap<>(hard), used);
        ResourceQuota copy = new ResourceQuotaBuilder(quota).build();
        copy.setStatus(status);
        StatusWrites.update(client.resource(ResourceQuota.class).namespace(quota.getMetadata().getNamespace()), copy,
                ResourceQuota::setStatus, status);
    }

    /** The namespace's use of each resource in {@code wanted} that an evaluator knows; zero when nothing uses it. */
    private Map<String, Quantity> usage(ResourceQuota quota, Set<String> wanted) {
        String namespace = quota.getMetadata().getNamespace();
        List<String> scopes = quota.getSpec() == null || quota.getSpec().getScopes() == null ? List.of()
                : quota.getSpec().getScopes();
        QuotaUsage.Usage sums = QuotaUsage.Usage.empty();
        for (String name : wanted) {
            if (QuotaUsage.isKnown(name)) {
                sums.amounts().put(name, BigDecimal.ZERO);
            }
        }
        Instant now = clock.now();
        for (Class<? extends HasMetadata> type : COUNTED) {
            QuotaUsage.Counted kind = counted(type);
            if (sums.amounts().keySet().stream().noneMatch(name -> QuotaUsage.measures(kind, name))) {
                continue;
            }
            for (HasMetadata object : informers.lister(type).namespace(namespace).list()) {
                JsonNode tree = Json.tree(object);
                if (QuotaUsage.matchesScopes(kind, tree, scopes)) {
                    sums.addKnown(QuotaUsage.of(kind, tree, now));
                }
            }
        }
        Map<String, Quantity> result = new LinkedHashMap<>();
        sums.amounts().keySet().forEach(name -> result.put(name, new Quantity(sums.text(name))));
        return result;
    }

    private static QuotaUsage.Counted counted(Class<? extends HasMetadata> type) {
        ResourceRef<? extends HasMetadata> ref = ResourceRef.of(type);
        return QuotaUsage.counted(ref.group(), ref.plural());
    }

    private static Map<String, Quantity> hard(ResourceQuota quota) {
        return quota.getSpec() == null || quota.getSpec().getHard() == null ? Map.of() : quota.getSpec().getHard();
    }

    /** Upstream's quota.Equals: the same names with numerically equal values. */
    static boolean sameQuantities(Map<String, Quantity> a, Map<String, Quantity> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (var e : a.entrySet()) {
            Quantity other = b.get(e.getKey());
            if (other == null || Quantity.getAmountInBytes(e.getValue()).compareTo(Quantity.getAmountInBytes(other)) != 0) {
                return false;
            }
        }
        return true;
    }
}

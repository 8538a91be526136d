package dev.navis.controllers.resourcequota;

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
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
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
    private static final Set<String> LEGACY_COUNTS = Set.of("services", "configmaps", "secrets",
            "persistentvolumeclaims", "replicationcontrollers", "resourcequotas");

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
        Map<String, BigDecimal> sums = new HashMap<>();
        Set<String> binary = new HashSet<>();
        for (String name : wanted) {
            if (isKnown(name)) {
                sums.put(name, BigDecimal.ZERO);
            }
        }
        boolean needsPods = wanted.stream().anyMatch(n -> isPodResource(n));
        if (needsPods) {
            for (Pod pod : informers.lister(Pod.class).namespace(namespace).list()) {
                if (matchesScopes(pod, scopes)) {
                    PodUsage.usage(pod, clock.now(), binary).forEach((k, v) -> addIfWanted(sums, k, v));
                }
            }
        }
        if (scopes.isEmpty()) {
            for (Class<? extends HasMetadata> type : COUNTED) {
                if (type == Pod.class) {
                    continue;
                }
                String count = countName(type);
                String legacy = ResourceRef.of(type).plural();
                boolean service = type == Service.class;
                boolean claim = type == PersistentVolumeClaim.class;
                if (!sums.containsKey(count) && !sums.containsKey(legacy) && !(service && wantsServiceDetail(sums))
                        && !(claim && sums.containsKey("requests.storage"))) {
                    continue;
                }
                for (HasMetadata object : informers.lister(type).namespace(namespace).list()) {
                    addIfWanted(sums, count, BigDecimal.ONE);
                    if (LEGACY_COUNTS.contains(legacy)) {
                        addIfWanted(sums, legacy, BigDecimal.ONE);
                    }
                    if (object instanceof Service s) {
                        serviceUsage(s).forEach((k, v) -> addIfWanted(sums, k, v));
                    } else if (object instanceof PersistentVolumeClaim pvc) {
                        claimStorage(pvc, binary).ifPresent(v -> addIfWanted(sums, "requests.storage", v));
                    }
                }
            }
        }
        Map<String, Quantity> result = new LinkedHashMap<>();
        sums.forEach((name, value) -> result.put(name, QuotaQuantities.format(value, binary.contains(name))));
        return result;
    }

    private static void addIfWanted(Map<String, BigDecimal> sums, String name, BigDecimal value) {
        sums.computeIfPresent(name, (k, v) -> v.add(value));
    }

    private static boolean wantsServiceDetail(Map<String, BigDecimal> sums) {
        return sums.containsKey("services.nodeports") || sums.containsKey("services.loadbalancers");
    }

    /** Upstream's service evaluator: NodePort and LoadBalancer services use one node port per port. */
    private static Map<String, BigDecimal> serviceUsage(Service service) {
        String type = service.getSpec() == null ? null : service.getSpec().getType();
        int ports = service.getSpec() == null || service.getSpec().getPorts() == null ? 0
                : service.getSpec().getPorts().size();
        Map<String, BigDecimal> result = new HashMap<>();
        if ("NodePort".equals(type)) {
            result.put("services.nodeports", BigDecimal.valueOf(ports));
        } else if ("LoadBalancer".equals(type)) {
            result.put("services.loadbalancers", BigDecimal.ONE);
            boolean allocate = service.getSpec().getAllocateLoadBalancerNodePorts() == null
                    || service.getSpec().getAllocateLoadBalancerNodePorts();
            long nodePorts = service.getSpec().getPorts() == null ? 0 : service.getSpec().getPorts().stream()
                    .map(ServicePort::getNodePort).filter(p -> allocate || (p != null && p != 0)).count();
            result.put("services.nodeports", BigDecimal.valueOf(nodePorts));
        }
        return result;
    }

    private static java.util.Optional<BigDecimal> claimStorage(PersistentVolumeClaim claim, Set<String> binary) {
        if (claim.getSpec() == null || claim.getSpec().getResources() == null
                || claim.getSpec().getResources().getRequests() == null) {
            return java.util.Optional.empty();
        }
        Quantity storage = claim.getSpec().getResources().getRequests().get("storage");
        if (storage == null) {
            return java.util.Optional.empty();
        }
        if (QuotaQuantities.isBinary(storage)) {
            binary.add("requests.storage");
        }
        return java.util.Optional.of(QuotaQuantities.value(storage));
    }

    private static boolean matchesScopes(Pod pod, List<String> scopes) {
        for (String scope : scopes) {
            boolean matches = switch (scope) {
                case "Terminating" -> PodUsage.isTerminating(pod);
                case "NotTerminating" -> !PodUsage.isTerminating(pod);
                case "BestEffort" -> PodUsage.isBestEffort(pod);
                case "NotBestEffort" -> !PodUsage.isBestEffort(pod);
                default -> false; // PriorityClass and CrossNamespacePodAffinity need a scopeSelector: not evaluated
            };
            if (!matches) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPodResource(String name) {
        return name.equals("pods") || name.equals("count/pods") || name.startsWith("requests.") && !name.equals(
                "requests.storage") || name.startsWith("limits.") || name.equals("cpu") || name.equals("memory")
                || name.equals("ephemeral-storage");
    }

    private static boolean isKnown(String name) {
        if (isPodResource(name) || LEGACY_COUNTS.contains(name) || name.equals("services.nodeports")
                || name.equals("services.loadbalancers") || name.equals("requests.storage")) {
            return true;
        }
        return COUNTED.stream().anyMatch(type -> countName(type).equals(name));
    }

    private static String countName(Class<? extends HasMetadata> type) {
        return "count/" + ResourceRef.of(type).groupResource();
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
            if (other == null || QuotaQuantities.value(e.getValue()).compareTo(QuotaQuantities.value(other)) != 0) {
                return false;
            }
        }
        return true;
    }
}

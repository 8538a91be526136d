package dev.navis.controllers.podautoscaler;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.ResourceClient;
import dev.navis.client.ResourceRef;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.util.Clock;
import dev.navis.client.util.Selectors;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.podautoscaler.MetricsSource.MetricsException;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricValueStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.ResourceMetricSource;
import io.fabric8.kubernetes.api.model.autoscaling.v2.ResourceMetricStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Upstream's horizontal pod autoscaler controller (pkg/controller/podautoscaler, autoscaling/v2): every
 * sync period it reads the target's /scale subresource, computes the replica count each Resource metric
 * asks for ({@link ReplicaCalculator}, usage from a {@link MetricsSource}), stabilizes and limits it
 * (minReplicas/maxReplicas, spec.behavior policies, or without behavior the legacy 2x/4 scale-up limit
 * and 5-minute downscale window), writes the new scale and the HPA's status and conditions.
 */
public final class HorizontalController implements Controller {

    public static final int DEFAULT_WORKERS = 5;
    /** Upstream's --horizontal-pod-autoscaler-sync-period. */
    public static final Duration SYNC_PERIOD = Duration.ofSeconds(15);
    /** Upstream's --horizontal-pod-autoscaler-downscale-stabilization. */
    static final Duration DOWNSCALE_STABILIZATION = Duration.ofMinutes(5);
    static final String COMPONENT = "horizontal-pod-autoscaler";

    private final KubeClient client;
    private final Clock clock;
    private final EventRecorder recorder;
    private final Lister<HorizontalPodAutoscaler> hpas;
    private final Lister<Pod> pods;
    private final ReplicaCalculator calculator;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;
    /** Per HPA: recent recommendations and scale events (upstream keeps these in memory too). */
    private final Map<String, List<Timestamped>> recommendations = new ConcurrentHashMap<>();
    private final Map<String, List<ScaleEvent>> scaleUpEvents = new ConcurrentHashMap<>();
    private final Map<String, List<ScaleEvent>> scaleDownEvents = new ConcurrentHashMap<>();

    public HorizontalController(ControllerContext context) {
        this(context, new ResourceMetricsApi(context.client()), Clock.SYSTEM);
    }

    HorizontalController(ControllerContext context, MetricsSource metrics, Clock clock) {
        this.client = context.client();
        this.clock = clock;
        this.recorder = context.recorder(COMPONENT);
        this.calculator = new ReplicaCalculator(metrics);
        this.queue = new RateLimitingQueue<>("horizontalpodautoscaler", new FixedInterval(SYNC_PERIOD), clock);
        this.workers = new Workers<>("horizontalpodautoscaler", queue, this::sync, 0);
        SharedIndexInformer<HorizontalPodAutoscaler> hpaInformer =
                context.informers().informer(HorizontalPodAutoscaler.class);
        this.hpas = hpaInformer.lister();
        this.pods = context.informers().informer(Pod.class).lister();
        hpaInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(HorizontalPodAutoscaler hpa) {
                queue.add(Keys.of(hpa));
            }

            @Override
            public void onUpdate(HorizontalPodAutoscaler o, HorizontalPodAutoscaler n) {
                // our own status writes must not re-sync at once: only spec changes do
                if (!Objects.equals(o.getMetadata().getGeneration(), n.getMetadata().getGeneration())
                        || !Objects.equals(o.getSpec(), n.getSpec())) {
                    queue.add(Keys.of(n));
                }
            }

            @Override
            public void onDelete(HorizontalPodAutoscaler hpa, boolean finalStateUnknown) {
                String key = Keys.of(hpa);
                recommendations.remove(key);
                scaleUpEvents.remove(key);
                scaleDownEvents.remove(key);
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

    /** Reconciles one HPA and re-queues it for the next sync period; throws to retry sooner. */
    void sync(String key) {
        HorizontalPodAutoscaler shared = hpas.getByKey(key);
        if (shared == null) {
            return;
        }
        try {
            reconcile(key, Json.deepCopy(shared), shared.getStatus());
        } finally {
            queue.addAfter(key, SYNC_PERIOD);
        }
    }

    /** Upstream's NewDefaultHPARateLimiter: a failed HPA is retried at the sync period, not sooner. */
    private static final class FixedInterval implements dev.navis.client.workqueue.RateLimiter<String> {
        private final Duration interval;

        FixedInterval(Duration interval) {
            this.interval = interval;
        }

        @Override
        public Duration when(String item) {
            return interval;
        }

        @Override
        public void forget(String item) {
        }

        @Override
        public int numRequeues(String item) {
            return 0;
        }
    }

    private record Timestamped(int recommendation, Instant timestamp) {
    }

    private record ScaleEvent(int replicaChange, Instant timestamp) {
    }

    private static final class SyncFailure extends RuntimeException {
        SyncFailure(String message) {
            super(message);
        }
    }

    private void reconcile(String key, HorizontalPodAutoscaler hpa, HorizontalPodAutoscalerStatus oldStatus) {
        Instant now = clock.now();
        if (hpa.getStatus() == null) {
            hpa.setStatus(new HorizontalPodAutoscalerStatus());
        }
        CrossVersionObjectReference target = hpa.getSpec().getScaleTargetRef();
        String reference = target.getKind() + "/" + target.getName();
        ResourceClient<? extends HasMetadata> targetClient;
        Scale scale;
        try {
            targetClient = scaleClient(target).namespace(hpa.getMetadata().getNamespace());
            scale = targetClient.getSubresource(target.getName(), "scale", Scale.class);
        } catch (ApiException | IllegalArgumentException e) {
            recorder.event(hpa, EventRecorder.WARNING, "FailedGetScale", e.getMessage());
            setCondition(hpa, "AbleToScale", "False", "FailedGetScale",
                    "the HPA controller was unable to get the target's current scale: " + e.getMessage(), now);
            updateStatusIfNeeded(hpa, oldStatus);
            throw new SyncFailure("failed to query scale subresource for " + reference + ": " + e.getMessage());
        }
        setCondition(hpa, "AbleToScale", "True", "SucceededGetScale",
                "the HPA controller was able to get the target's current scale", now);
        int currentReplicas = scale.getSpec().getReplicas() == null ? 0 : scale.getSpec().getReplicas();
        int minReplicas = hpa.getSpec().getMinReplicas() == null ? 1 : hpa.getSpec().getMinReplicas();
        int maxReplicas = hpa.getSpec().getMaxReplicas();
        List<MetricStatus> metricStatuses = List.of();
        int desiredReplicas = 0;
        String rescaleReason = "";
        boolean rescale;
        if (currentReplicas == 0 && minReplicas != 0) {
            setCondition(hpa, "ScalingActive", "False", "ScalingDisabled",
                    "scaling is disabled since the replica count of the target is zero", now);
            rescale = false;
        } else if (currentReplicas > maxReplicas) {
            rescaleReason = "Current number of replicas above Spec.MaxReplicas";
            desiredReplicas = maxReplicas;
            rescale = true;
        } else if (currentReplicas < minReplicas) {
            rescaleReason = "Current number of replicas below Spec.MinReplicas";
            desiredReplicas = minReplicas;
            rescale = true;
        } else {
            MetricsProposal proposal;
            try {
                proposal = computeReplicasForMetrics(hpa, scale, currentReplicas, now);
            } catch (MetricsFailure e) {
                setStatus(hpa, currentReplicas, hpa.getStatus().getDesiredReplicas(), e.statuses, false, now);
                updateStatusIfNeeded(hpa, oldStatus);
                recorder.event(hpa, EventRecorder.WARNING, "FailedComputeMetricsReplicas", e.getMessage());
                throw new SyncFailure("failed to compute desired number of replicas based on listed metrics for "
                        + reference + ": " + e.getMessage());
            }
            metricStatuses = proposal.statuses;
            String rescaleMetric = "";
            if (proposal.replicas > desiredReplicas) {
                desiredReplicas = proposal.replicas;
                rescaleMetric = proposal.metricName;
            }
            if (desiredReplicas > currentReplicas) {
                rescaleReason = rescaleMetric + " above target";
            }
            if (desiredReplicas < currentReplicas) {
                rescaleReason = "All metrics below target";
            }
            desiredReplicas = hpa.getSpec().getBehavior() == null
                    ? normalizeDesiredReplicas(hpa, key, currentReplicas, desiredReplicas, minReplicas, now)
                    : normalizeWithBehaviors(hpa, key, currentReplicas, desiredReplicas, minReplicas, now);
            rescale = desiredReplicas != currentReplicas;
        }
        if (rescale) {
            Scale update = Json.deepCopy(scale);
            update.getSpec().setReplicas(desiredReplicas);
            try {
                targetClient.updateSubresource(target.getName(), "scale", update, Scale.class);
            } catch (ApiException e) {
                recorder.event(hpa, EventRecorder.WARNING, "FailedRescale", "New size: " + desiredReplicas
                        + "; reason: " + rescaleReason + "; error: " + e.getMessage());
                setCondition(hpa, "AbleToScale", "False", "FailedUpdateScale",
                        "the HPA controller was unable to update the target scale: " + e.getMessage(), now);
                setStatus(hpa, currentReplicas, hpa.getStatus().getDesiredReplicas(), metricStatuses, false, now);
                updateStatusIfNeeded(hpa, oldStatus);
                throw new SyncFailure("failed to rescale " + reference + ": " + e.getMessage());
            }
            setCondition(hpa, "AbleToScale", "True", "SucceededRescale",
                    "the HPA controller was able to update the target scale to " + desiredReplicas, now);
            recorder.event(hpa, EventRecorder.NORMAL, "SuccessfulRescale",
                    "New size: " + desiredReplicas + "; reason: " + rescaleReason);
            storeScaleEvent(hpa.getSpec().getBehavior(), key, currentReplicas, desiredReplicas, now);
        } else {
            desiredReplicas = currentReplicas;
        }
        setStatus(hpa, currentReplicas, desiredReplicas, metricStatuses, rescale, now);
        updateStatusIfNeeded(hpa, oldStatus);
    }

    /** The scale subresource's owner: the kinds upstream's scale client resolves that Navis serves. */
    private ResourceClient<? extends HasMetadata> scaleClient(CrossVersionObjectReference target) {
        String group = target.getApiVersion() == null || !target.getApiVersion().contains("/") ? ""
                : target.getApiVersion().substring(0, target.getApiVersion().indexOf('/'));
        Class<? extends HasMetadata> type = switch (group + "/" + target.getKind()) {
            case "apps/Deployment" -> Deployment.class;
            case "apps/ReplicaSet" -> ReplicaSet.class;
            case "apps/StatefulSet" -> StatefulSet.class;
            case "/ReplicationController" -> io.fabric8.kubernetes.api.model.ReplicationController.class;
            default -> throw new IllegalArgumentException("no matches for kind \"" + target.getKind()
                    + "\" in group \"" + group + "\"");
        };
        return client.resource(ResourceRef.of(type));
    }

    // ---- metrics -----------------------------------------------------------------------------------------

    private record MetricsProposal(int replicas, String metricName, List<MetricStatus> statuses) {
    }

    private static final class MetricsFailure extends RuntimeException {
        final List<MetricStatus> statuses;

        MetricsFailure(String message, List<MetricStatus> statuses) {
            super(message);
            this.statuses = statuses;
        }
    }

    /** Upstream's computeReplicasForMetrics: the largest proposal of the valid metrics. */
    private MetricsProposal computeReplicasForMetrics(HorizontalPodAutoscaler hpa, Scale scale, int currentReplicas,
                                                      Instant now) {
        String selector = scale.getStatus() == null ? null : scale.getStatus().getSelector();
        if (selector == null || selector.isEmpty()) {
            recorder.event(hpa, EventRecorder.WARNING, "SelectorRequired", "selector is required");
            setCondition(hpa, "ScalingActive", "False", "InvalidSelector",
                    "the HPA target's scale is missing a selector", now);
            throw new MetricsFailure("selector is required", List.of());
        }
        Predicate<Map<String, String>> matches;
        try {
            matches = Selectors.labels(selector);
        } catch (RuntimeException e) {
            recorder.event(hpa, EventRecorder.WARNING, "InvalidSelector", "couldn't convert selector into a "
                    + "corresponding internal selector object: " + e.getMessage());
            setCondition(hpa, "ScalingActive", "False", "InvalidSelector",
                    "the HPA target's scale has an invalid selector", now);
            throw new MetricsFailure("couldn't convert selector into a corresponding internal selector object: "
                    + e.getMessage(), List.of());
        }
        List<Pod> targetPods = new ArrayList<>();
        for (Pod p : pods.namespace(hpa.getMetadata().getNamespace()).list()) {
            Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
            if (matches.test(labels)) {
                targetPods.add(p);
            }
        }
        List<MetricSpec> specs = hpa.getSpec().getMetrics();
        if (specs == null || specs.isEmpty()) { // the API server's default: 80% cpu utilization
            specs = List.of(new io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder().withType("Resource")
                    .withNewResource().withName("cpu").withNewTarget().withType("Utilization")
                    .withAverageUtilization(80).endTarget().endResource().build());
        }
        List<MetricStatus> statuses = new ArrayList<>();
        int replicas = 0;
        String metricName = "";
        int invalid = 0;
        String firstError = null;
        HorizontalPodAutoscalerCondition invalidCondition = null;
        for (MetricSpec spec : specs) {
            try {
                MetricProposal p = computeResourceMetric(hpa, spec, currentReplicas, selector, targetPods, now);
                statuses.add(p.status);
                if (p.replicas > replicas) {
                    replicas = p.replicas;
                    metricName = p.name;
                }
            } catch (InvalidMetric e) {
                statuses.add(new MetricStatus());
                invalid++;
                if (firstError == null) {
                    firstError = e.getMessage();
                    invalidCondition = e.condition;
                }
            }
        }
        if (invalid >= specs.size() || (invalid > 0 && replicas < currentReplicas)) {
            setCondition(hpa, "ScalingActive", invalidCondition.getStatus(), invalidCondition.getReason(),
                    invalidCondition.getMessage(), now);
            throw new MetricsFailure("invalid metrics (" + invalid + " invalid out of " + specs.size()
                    + "), first error is: " + firstError, statuses);
        }
        setCondition(hpa, "ScalingActive", "True", "ValidMetricFound",
                "the HPA was able to successfully calculate a replica count from " + metricName, now);
        return new MetricsProposal(replicas, metricName, statuses);
    }

    private record MetricProposal(int replicas, String name, MetricStatus status) {
    }

    private static final class InvalidMetric extends RuntimeException {
        final HorizontalPodAutoscalerCondition condition;

        InvalidMetric(String message, HorizontalPodAutoscalerCondition condition) {
            super(message);
            this.condition = condition;
        }
    }

    private InvalidMetric unableToCompute(HorizontalPodAutoscaler hpa, String reason, String cause, String error) {
        recorder.event(hpa, EventRecorder.WARNING, reason, cause);
        HorizontalPodAutoscalerCondition c = new HorizontalPodAutoscalerCondition();
        c.setType("ScalingActive");
        c.setStatus("False");
        c.setReason(reason);
        c.setMessage("the HPA was unable to compute the replica count: " + error);
        return new InvalidMetric(error, c);
    }

    /** Upstream's computeStatusForResourceMetric; other metric types are not served by Navis. */
    private MetricProposal computeResourceMetric(HorizontalPodAutoscaler hpa, MetricSpec spec, int currentReplicas,
                                                 String selector, List<Pod> targetPods, Instant now) {
        if (!"Resource".equals(spec.getType()) || spec.getResource() == null) {
            String msg = "unable to get metric: metric type " + spec.getType() + " is not supported";
            throw unableToCompute(hpa, "InvalidMetricSourceType", msg, msg);
        }
        ResourceMetricSource source = spec.getResource();
        String resource = source.getName();
        MetricTarget target = source.getTarget();
        String namespace = hpa.getMetadata().getNamespace();
        if (target.getAverageValue() != null) {
            ReplicaCalculator.Result r;
            try {
                r = calculator.rawResourceReplicas(currentReplicas, Quantities.milliValue(target.getAverageValue()),
                        resource, namespace, selector, targetPods, now);
            } catch (MetricsException e) {
                String error = "failed to get " + resource + " usage: " + e.getMessage();
                throw unableToCompute(hpa, "FailedGetResourceMetric", e.getMessage(), error);
            }
            MetricValueStatus current = new MetricValueStatus();
            current.setAverageValue(new Quantity(Quantities.fromMilli(r.rawAverageMilli())));
            return new MetricProposal(r.replicas(), resource + " resource", resourceStatus(resource, current));
        }
        if (target.getAverageUtilization() == null) {
            String msg = "invalid resource metric source: neither a utilization target nor a value target was set";
            throw unableToCompute(hpa, "FailedGetResourceMetric", msg, msg);
        }
        ReplicaCalculator.Result r;
        try {
            r = calculator.resourceReplicas(currentReplicas, target.getAverageUtilization(), resource, namespace,
                    selector, targetPods, now);
        } catch (MetricsException e) {
            String error = "failed to get " + resource + " utilization: " + e.getMessage();
            throw unableToCompute(hpa, "FailedGetResourceMetric", e.getMessage(), error);
        }
        MetricValueStatus current = new MetricValueStatus();
        current.setAverageUtilization(r.utilization());
        current.setAverageValue(new Quantity(Quantities.fromMilli(r.rawAverageMilli())));
        return new MetricProposal(r.replicas(), resource + " resource utilization (percentage of request)",
                resourceStatus(resource, current));
    }

    private static MetricStatus resourceStatus(String resource, MetricValueStatus current) {
        ResourceMetricStatus rs = new ResourceMetricStatus();
        rs.setName(resource);
        rs.setCurrent(current);
        MetricStatus s = new MetricStatus();
        s.setType("Resource");
        s.setResource(rs);
        return s;
    }

    // ---- normalization -----------------------------------------------------------------------------------

    /** Upstream's normalizeDesiredReplicas: no behavior, a 5-minute downscale window and a 2x/4 scale-up limit. */
    private int normalizeDesiredReplicas(HorizontalPodAutoscaler hpa, String key, int currentReplicas,
                                         int prenormalized, int minReplicas, Instant now) {
        int stabilized = prenormalized;
        Instant cutoff = now.minus(DOWNSCALE_STABILIZATION);
        List<Timestamped> recs = recommendations.computeIfAbsent(key, k -> new ArrayList<>());
        int oldIndex = -1;
        for (int i = 0; i < recs.size(); i++) {
            Timestamped rec = recs.get(i);
            if (rec.timestamp.isBefore(cutoff)) {
                oldIndex = i;
            } else if (rec.recommendation > stabilized) {
                stabilized = rec.recommendation;
            }
        }
        store(recs, oldIndex, new Timestamped(prenormalized, now));
        if (stabilized != prenormalized) {
            setCondition(hpa, "AbleToScale", "True", "ScaleDownStabilized",
                    "recent recommendations were higher than current one, applying the highest recent recommendation",
                    now);
        } else {
            setCondition(hpa, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", now);
        }
        int maxReplicas = hpa.getSpec().getMaxReplicas();
        int scaleUpLimit = (int) Math.max(2.0 * currentReplicas, 4.0);
        int maximumAllowed;
        String limitReason;
        String limitMessage;
        if (maxReplicas > scaleUpLimit) {
            maximumAllowed = scaleUpLimit;
            limitReason = "ScaleUpLimit";
            limitMessage = "the desired replica count is increasing faster than the maximum scale rate";
        } else {
            maximumAllowed = maxReplicas;
            limitReason = "TooManyReplicas";
            limitMessage = "the desired replica count is more than the maximum replica count";
        }
        int desired = stabilized;
        String reason = "DesiredWithinRange";
        String message = "the desired count is within the acceptable range";
        if (stabilized < minReplicas) {
            desired = minReplicas;
            reason = "TooFewReplicas";
            message = "the desired replica count is less than the minimum replica count";
        } else if (stabilized > maximumAllowed) {
            desired = maximumAllowed;
            reason = limitReason;
            message = limitMessage;
        }
        setCondition(hpa, "ScalingLimited", desired == stabilized ? "False" : "True", reason, message, now);
        return desired;
    }

    /** Upstream's normalizeDesiredReplicasWithBehaviors: stabilization windows, then the policies' rates. */
    private int normalizeWithBehaviors(HorizontalPodAutoscaler hpa, String key, int currentReplicas,
                                       int prenormalized, int minReplicas, Instant now) {
        HPAScalingRules up = scaleUpRules(hpa.getSpec().getBehavior());
        HPAScalingRules down = scaleDownRules(hpa.getSpec().getBehavior());
        int maxReplicas = hpa.getSpec().getMaxReplicas();
        // stabilization
        int recommendation = prenormalized;
        boolean scalingUp = prenormalized >= currentReplicas;
        int delaySeconds = scalingUp ? up.getStabilizationWindowSeconds() : down.getStabilizationWindowSeconds();
        int maxDelaySeconds = Math.max(up.getStabilizationWindowSeconds(), down.getStabilizationWindowSeconds());
        Instant obsoleteCutoff = now.minusSeconds(maxDelaySeconds);
        Instant cutoff = now.minusSeconds(delaySeconds);
        List<Timestamped> recs = recommendations.computeIfAbsent(key, k -> new ArrayList<>());
        int oldIndex = -1;
        for (int i = 0; i < recs.size(); i++) {
            Timestamped rec = recs.get(i);
            if (rec.timestamp.isAfter(cutoff)) {
                recommendation = scalingUp ? Math.min(rec.recommendation, recommendation)
                        : Math.max(rec.recommendation, recommendation);
            }
            if (rec.timestamp.isBefore(obsoleteCutoff)) {
                oldIndex = i;
            }
        }
        store(recs, oldIndex, new Timestamped(prenormalized, now));
        if (recommendation != prenormalized) {
            if (scalingUp) {
                setCondition(hpa, "AbleToScale", "True", "ScaleUpStabilized", "recent recommendations were lower than "
                        + "current one, applying the lowest recent recommendation", now);
            } else {
                setCondition(hpa, "AbleToScale", "True", "ScaleDownStabilized", "recent recommendations were higher "
                        + "than current one, applying the highest recent recommendation", now);
            }
        } else {
            setCondition(hpa, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", now);
        }
        // rate limits
        int desired = recommendation;
        String reason = "DesiredWithinRange";
        String message = "the desired count is within the acceptable range";
        if (recommendation > currentReplicas) {
            int scaleUpLimit = Math.max(currentReplicas,
                    scaleUpLimit(currentReplicas, scaleUpEvents.getOrDefault(key, List.of()), up, now));
            int maximumAllowed = maxReplicas;
            String r = "TooManyReplicas";
            String m = "the desired replica count is more than the maximum replica count";
            if (maximumAllowed > scaleUpLimit) {
                maximumAllowed = scaleUpLimit;
                r = "ScaleUpLimit";
                m = "the desired replica count is increasing faster than the maximum scale rate";
            }
            if (recommendation > maximumAllowed) {
                desired = maximumAllowed;
                reason = r;
                message = m;
            }
        } else if (recommendation < currentReplicas) {
            int scaleDownLimit = Math.min(currentReplicas,
                    scaleDownLimit(currentReplicas, scaleDownEvents.getOrDefault(key, List.of()), down, now));
            int minimumAllowed = minReplicas;
            String r = "TooFewReplicas";
            String m = "the desired replica count is less than the minimum replica count";
            if (minimumAllowed < scaleDownLimit) {
                minimumAllowed = scaleDownLimit;
                r = "ScaleDownLimit";
                m = "the desired replica count is decreasing faster than the maximum scale rate";
            }
            if (recommendation < minimumAllowed) {
                desired = minimumAllowed;
                reason = r;
                message = m;
            }
        }
        setCondition(hpa, "ScalingLimited", desired == recommendation ? "False" : "True", reason, message, now);
        return desired;
    }

    private static <T> void store(List<T> list, int oldIndex, T value) {
        if (oldIndex >= 0) {
            list.set(oldIndex, value);
        } else {
            list.add(value);
        }
    }

    /** The autoscaling/v2 defaults of scaleUp: no window, max of 100% and 4 pods per 15 s. */
    static HPAScalingRules scaleUpRules(HorizontalPodAutoscalerBehavior behavior) {
        HPAScalingRules r = behavior.getScaleUp() == null ? new HPAScalingRules() : behavior.getScaleUp();
        if (r.getStabilizationWindowSeconds() == null) {
            r.setStabilizationWindowSeconds(0);
        }
        if (r.getSelectPolicy() == null) {
            r.setSelectPolicy("Max");
        }
        if (r.getPolicies() == null || r.getPolicies().isEmpty()) {
            r.setPolicies(List.of(new HPAScalingPolicy(15, "Percent", 100), new HPAScalingPolicy(15, "Pods", 4)));
        }
        return r;
    }

    /** The defaults of scaleDown: the 300 s window, 100% per 15 s. */
    static HPAScalingRules scaleDownRules(HorizontalPodAutoscalerBehavior behavior) {
        HPAScalingRules r = behavior.getScaleDown() == null ? new HPAScalingRules() : behavior.getScaleDown();
        if (r.getStabilizationWindowSeconds() == null) {
            r.setStabilizationWindowSeconds((int) DOWNSCALE_STABILIZATION.toSeconds());
        }
        if (r.getSelectPolicy() == null) {
            r.setSelectPolicy("Max");
        }
        if (r.getPolicies() == null || r.getPolicies().isEmpty()) {
            r.setPolicies(List.of(new HPAScalingPolicy(15, "Percent", 100)));
        }
        return r;
    }

    private static int changeInPeriod(int periodSeconds, List<ScaleEvent> events, Instant now) {
        Instant cutoff = now.minusSeconds(periodSeconds);
        int change = 0;
        for (ScaleEvent e : events) {
            if (e.timestamp.isAfter(cutoff)) {
                change += e.replicaChange;
            }
        }
        return change;
    }

    /** Upstream's calculateScaleUpLimitWithScalingRules. */
    static int scaleUpLimit(int currentReplicas, List<ScaleEvent> events, HPAScalingRules rules, Instant now) {
        if ("Disabled".equals(rules.getSelectPolicy())) {
            return currentReplicas;
        }
        boolean pickMin = "Min".equals(rules.getSelectPolicy());
        int result = pickMin ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (HPAScalingPolicy p : rules.getPolicies()) {
            int periodStart = currentReplicas - changeInPeriod(p.getPeriodSeconds(), events, now);
            int proposed = "Pods".equals(p.getType()) ? periodStart + p.getValue()
                    : (int) Math.ceil(periodStart * (1 + p.getValue() / 100.0));
            result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
        }
        return result;
    }

    /** Upstream's calculateScaleDownLimitWithBehaviors. */
    static int scaleDownLimit(int currentReplicas, List<ScaleEvent> events, HPAScalingRules rules, Instant now) {
        if ("Disabled".equals(rules.getSelectPolicy())) {
            return currentReplicas;
        }
        boolean pickMin = "Min".equals(rules.getSelectPolicy());
        int result = pickMin ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (HPAScalingPolicy p : rules.getPolicies()) {
            int periodStart = currentReplicas + changeInPeriod(p.getPeriodSeconds(), events, now);
            int proposed = "Pods".equals(p.getType()) ? periodStart - p.getValue()
                    : (int) (periodStart * (1 - p.getValue() / 100.0));
            result = pickMin ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return result;
    }

    /** Remembers a scale change for the policies' periods (only with spec.behavior, as upstream). */
    private void storeScaleEvent(HorizontalPodAutoscalerBehavior behavior, String key, int prev, int next,
                                 Instant now) {
        if (behavior == null) {
            return;
        }
        boolean up = next > prev;
        HPAScalingRules rules = up ? scaleUpRules(behavior) : scaleDownRules(behavior);
        int longest = 0;
        for (HPAScalingPolicy p : rules.getPolicies()) {
            longest = Math.max(longest, p.getPeriodSeconds());
        }
        Instant cutoff = now.minusSeconds(longest);
        List<ScaleEvent> events = (up ? scaleUpEvents : scaleDownEvents).computeIfAbsent(key, k -> new ArrayList<>());
        events.removeIf(e -> e.timestamp.isBefore(cutoff)); // outdated for every policy
        events.add(new ScaleEvent(Math.abs(next - prev), now));
    }

    // ---- status ------------------------------------------------------------------------------------------

    private static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static void setStatus(HorizontalPodAutoscaler hpa, int current, Integer desired,
                                  List<MetricStatus> metrics, boolean rescale, Instant now) {
        HorizontalPodAutoscalerStatus s = hpa.getStatus();
        s.setCurrentReplicas(current);
        s.setDesiredReplicas(desired == null ? 0 : desired);
        s.setCurrentMetrics(metrics.isEmpty() ? null : new ArrayList<>(metrics));
        if (rescale) {
            s.setLastScaleTime(time(now));
        }
        s.setObservedGeneration(hpa.getMetadata().getGeneration());
    }

    /** Sets a condition; its transition time moves only when its status changes. */
    static void setCondition(HorizontalPodAutoscaler hpa, String type, String status, String reason, String message,
                             Instant now) {
        List<HorizontalPodAutoscalerCondition> conditions = hpa.getStatus().getConditions() == null
                ? new ArrayList<>() : new ArrayList<>(hpa.getStatus().getConditions());
        HorizontalPodAutoscalerCondition existing = null;
        for (HorizontalPodAutoscalerCondition c : conditions) {
            if (type.equals(c.getType())) {
                existing = c;
            }
        }
        if (existing == null) {
            existing = new HorizontalPodAutoscalerCondition();
            existing.setType(type);
            conditions.add(existing);
        }
        if (!status.equals(existing.getStatus())) {
            existing.setLastTransitionTime(time(now));
        }
        existing.setStatus(status);
        existing.setReason(reason);
        existing.setMessage(message);
        hpa.getStatus().setConditions(conditions);
    }

    private void updateStatusIfNeeded(HorizontalPodAutoscaler hpa, HorizontalPodAutoscalerStatus oldStatus) {
        if (Objects.equals(oldStatus, hpa.getStatus())) {
            return;
        }
        try {
            client.resource(HorizontalPodAutoscaler.class).namespace(hpa.getMetadata().getNamespace())
                    .updateStatus(hpa);
        } catch (ApiException e) {
            recorder.event(hpa, EventRecorder.WARNING, "FailedUpdateStatus", e.getMessage());
            throw e;
        }
    }
}

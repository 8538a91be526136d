package dev.navis.controllers.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.KubeClient;
import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeEventRecorder;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.podautoscaler.MetricsSource.PodMetric;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The HPA controller against the fake API with a fake clock and metrics fed by the test: seed the
 * Deployment, its pods and the HPA, run one sync, assert the exact API calls, the status and the events.
 */
class HorizontalControllerTest {

    private static final String NS = "default";
    private static final String KEY = "default/web";
    private static final Set<String> INFORMER_VERBS = Set.of("list", "watch");
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final FakeEventRecorder events = new FakeEventRecorder();
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    /** Per-pod cpu usage in millicores the fed metrics source answers with. */
    private final Map<String, Long> usage = new HashMap<>();
    private final MetricsSource fed = (resource, namespace, selector) -> usage.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey,
                    e -> new PodMetric(e.getValue(), clock.now(), Duration.ofSeconds(30))));
    private final ControllerContext context = new ControllerContext(api, informers, events);
    private final HorizontalController controller = new HorizontalController(context, fed, clock);

    @Test
    void scalesUpOnCpuUtilizationAboveTarget() {
        observe(deployment(3), hpa(1, 10, 50, null));
        for (int i = 0; i < 3; i++) {
            observePod("web-" + i);
            usage.put("web-" + i, 80L); // 80% of the 100m request against a 50% target: 3 * 1.6 = 4.8
        }

        controller.sync(KEY);

        assertThat(actions()).containsExactly("get deployments/scale default/web",
                "update deployments/scale default/web", "update horizontalpodautoscalers/status default/web");
        assertThat(api.deployments().namespace(NS).get("web").getSpec().getReplicas()).isEqualTo(5);
        assertThat(events.events()).containsExactly("Normal SuccessfulRescale New size: 5; reason: cpu resource "
                + "utilization (percentage of request) above target");
        HorizontalPodAutoscaler stored = storedHpa();
        assertThat(stored.getStatus().getCurrentReplicas()).isEqualTo(3);
        assertThat(stored.getStatus().getDesiredReplicas()).isEqualTo(5);
        assertThat(stored.getStatus().getLastScaleTime()).isEqualTo("2026-01-01T12:00:00Z");
        assertThat(stored.getStatus().getCurrentMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getType()).isEqualTo("Resource");
            assertThat(m.getResource().getName()).isEqualTo("cpu");
            assertThat(m.getResource().getCurrent().getAverageUtilization()).isEqualTo(80);
            assertThat(m.getResource().getCurrent().getAverageValue()).isEqualTo(new Quantity("80m"));
        });
        assertThat(conditions(stored)).containsExactly(
                "AbleToScale True SucceededRescale the HPA controller was able to update the target scale to 5",
                "ScalingActive True ValidMetricFound the HPA was able to successfully calculate a replica count "
                        + "from cpu resource utilization (percentage of request)",
                "ScalingLimited False DesiredWithinRange the desired count is within the acceptable range");
        assertThat(controller.queue.waitingCount()).as("re-queued for the next sync period").isEqualTo(1);
    }

    @Test
    void withinToleranceNothingScales() {
        observe(deployment(2), hpa(1, 10, 50, null));
        observePod("web-0");
        observePod("web-1");
        usage.put("web-0", 54L); // 54% vs 50%: ratio 1.08 is within the 0.1 tolerance
        usage.put("web-1", 54L);

        controller.sync(KEY);

        assertThat(actions()).containsExactly("get deployments/scale default/web",
                "update horizontalpodautoscalers/status default/web");
        assertThat(events.events()).isEmpty();
        assertThat(storedHpa().getStatus().getDesiredReplicas()).isEqualTo(2);
        assertThat(storedHpa().getStatus().getLastScaleTime()).isNull();
    }

    @Test
    void withoutTheResourceMetricsApiScalingIsInactive() {
        HorizontalController real = new HorizontalController(context, new ResourceMetricsApi(api), clock);
        observe(deployment(2), hpa(1, 10, 50, null));
        observePod("web-0");
        observePod("web-1");

        assertThatThrownBy(() -> real.sync(KEY)).hasMessageContaining("invalid metrics (1 invalid out of 1)");

        assertThat(actions()).containsExactly("get deployments/scale default/web",
                "update horizontalpodautoscalers/status default/web");
        assertThat(api.deployments().namespace(NS).get("web").getSpec().getReplicas()).isEqualTo(2);
        String cause = "unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: "
                + "the server could not find the requested resource (get pods.metrics.k8s.io)";
        assertThat(conditions(storedHpa())).containsExactly(
                "AbleToScale True SucceededGetScale the HPA controller was able to get the target's current scale",
                "ScalingActive False FailedGetResourceMetric the HPA was unable to compute the replica count: "
                        + "failed to get cpu utilization: " + cause);
        assertThat(events.events()).containsExactly("Warning FailedGetResourceMetric " + cause,
                "Warning FailedComputeMetricsReplicas invalid metrics (1 invalid out of 1), first error is: "
                        + "failed to get cpu utilization: " + cause);
    }

    @Test
    void scalesOnPodMetricsReadFromTheResourceMetricsApi() {
        KubeClient served = new KubeClient() {
            @Override
            public <T extends io.fabric8.kubernetes.api.model.HasMetadata> dev.navis.client.ResourceClient<T> resource(
                    dev.navis.client.ResourceRef<T> ref) {
                return api.resource(ref);
            }

            @Override
            public dev.navis.client.discovery.DiscoveryClient discovery() {
                return () -> List.of(new APIResourceListBuilder().withGroupVersion("metrics.k8s.io/v1beta1")
                        .addNewResource().withName("nodes").withKind("NodeMetrics").withNamespaced(false)
                        .withVerbs("get", "list").endResource()
                        .addNewResource().withName("pods").withKind("PodMetrics").withNamespaced(true)
                        .withVerbs("get", "list").endResource().build());
            }
        };
        HorizontalController real = new HorizontalController(context, new ResourceMetricsApi(served), clock);
        observe(deployment(3), hpa(1, 10, 50, null));
        for (int i = 0; i < 3; i++) {
            observePod("web-" + i);
            api.resource(ResourceMetricsApi.POD_METRICS).namespace(NS).create(new PodMetricsBuilder().withNewMetadata()
                    .withName("web-" + i).withNamespace(NS).addToLabels("app", "web").endMetadata()
                    .withTimestamp(NOW.minusSeconds(5).toString()).withWindow(new io.fabric8.kubernetes.api.model.Duration(
                            Duration.ofMillis(15_003))).addNewContainer().withName("app")
                    .addToUsage("cpu", new Quantity("80123456n")).addToUsage("memory", new Quantity("1Mi"))
                    .endContainer().build());
        }
        api.resource(ResourceMetricsApi.POD_METRICS).namespace(NS).create(new PodMetricsBuilder().withNewMetadata()
                .withName("other").withNamespace(NS).addToLabels("app", "other").endMetadata()
                .withTimestamp(NOW.toString()).addNewContainer().withName("app").addToUsage("cpu", new Quantity("5"))
                .endContainer().build());
        api.clearActions();

        real.sync(KEY);

        // "other" (5 cores) is outside the selector: were it counted, the HPA would ask for the maximum
        assertThat(actions()).containsExactly("get deployments/scale default/web",
                "update deployments/scale default/web", "update horizontalpodautoscalers/status default/web");
        assertThat(api.deployments().namespace(NS).get("web").getSpec().getReplicas()).isEqualTo(5);
        assertThat(conditions(storedHpa())).contains("ScalingActive True ValidMetricFound the HPA was able to "
                + "successfully calculate a replica count from cpu resource utilization (percentage of request)");
        assertThat(storedHpa().getStatus().getCurrentMetrics().get(0).getResource().getCurrent()
                .getAverageUtilization()).as("80123456n is 81m: MilliValue rounds up").isEqualTo(81);
    }

    @Test
    void aboveMaxReplicasScalesDownToMax() {
        observe(deployment(12), hpa(1, 10, 50, null));

        controller.sync(KEY);

        assertThat(actions()).containsExactly("get deployments/scale default/web",
                "update deployments/scale default/web", "update horizontalpodautoscalers/status default/web");
        assertThat(api.deployments().namespace(NS).get("web").getSpec().getReplicas()).isEqualTo(10);
        assertThat(events.events()).containsExactly(
                "Normal SuccessfulRescale New size: 10; reason: Current number of replicas above Spec.MaxReplicas");
    }

    @Test
    void scaleUpIsLimitedByMaxReplicas() {
        observe(deployment(2), hpa(1, 3, 50, null));
        observePod("web-0");
        observePod("web-1");
        usage.put("web-0", 100L); // ratio 2: 4 replicas wanted, 3 allowed
        usage.put("web-1", 100L);

        controller.sync(KEY);

        assertThat(api.deployments().namespace(NS).get("web").getSpec().getReplicas()).isEqualTo(3);
        assertThat(conditions(storedHpa())).contains("ScalingLimited True TooManyReplicas the desired replica "
                + "count is more than the maximum replica count");
    }

    @Test
    void scaleDownWithoutBehaviorWaitsForTheStabilizationWindow() {
        observe(deployment(4), hpa(1, 10, 50, null));
        for (int i = 0; i < 4; i++) {
            observePod("web-" + i);
            usage.put("web-" + i, 50L);
        }
        controller.sync(KEY); // at target: recommends 4
        usage.replaceAll((p, v) -> 10L); // 10% of 50%: 4 * 0.2 = 0.8 -> 1
        clock.advance(Duration.ofSeconds(15));
        observe(null, storedHpa());
        api.clearActions();

        controller.sync(KEY);

        assertThat(actions()).containsExactly("get deployments/scale default/web",
                "update horizontalpodautoscalers/status default/web");
        assertThat(conditions(storedHpa())).contains("AbleToScale True ScaleDownStabilized recent "
                + "recommendations were higher than current one, applying the highest recent recommendation");

        clock.advance(Duration.ofMinutes(5));
        observe(null, storedHpa());
        api.clearActions();
        controller.sync(KEY);

        assertThat(api.deployments().namespace(NS).get("web").getSpec().getReplicas()).isEqualTo(1);
        assertThat(events.events()).containsExactly(
                "Normal SuccessfulRescale New size: 1; reason: All metrics below target");
    }

    @Test
    void scaleDownPolicyLimitsTheRate() {
        HorizontalPodAutoscalerBehavior behavior = new HorizontalPodAutoscalerBehavior();
        HPAScalingRules down = new HPAScalingRules();
        down.setStabilizationWindowSeconds(0);
        down.setPolicies(List.of(new HPAScalingPolicy(60, "Pods", 1)));
        behavior.setScaleDown(down);
        observe(deployment(5), hpa(1, 10, 50, behavior));
        for (int i = 0; i < 5; i++) {
            observePod("web-" + i);
            usage.put("web-" + i, 5L);
        }

        controller.sync(KEY);

        assertThat(api.deployments().namespace(NS).get("web").getSpec().getReplicas()).isEqualTo(4);
        assertThat(conditions(storedHpa())).contains("ScalingLimited True ScaleDownLimit the desired replica "
                + "count is decreasing faster than the maximum scale rate");

        // within the 60 s period the one pod already removed uses up the policy
        clock.advance(Duration.ofSeconds(15));
        observe(null, storedHpa());
        usage.remove("web-4");
        informers.informer(Pod.class).indexer().remove(NS + "/web-4");
        api.clearActions();
        controller.sync(KEY);

        assertThat(actions()).containsExactly("get deployments/scale default/web",
                "update horizontalpodautoscalers/status default/web");
        assertThat(api.deployments().namespace(NS).get("web").getSpec().getReplicas()).isEqualTo(4);
    }

    @Test
    void missingMetricsOnScaleDownAreAssumedAtTarget() {
        observe(deployment(4), hpa(1, 10, 50, null));
        for (int i = 0; i < 4; i++) {
            observePod("web-" + i);
        }
        usage.put("web-0", 10L);
        usage.put("web-1", 10L);
        usage.put("web-2", 10L); // web-3 reports nothing: taken as 50m, (30 + 50) / 400 = 20% -> ratio 0.4

        controller.sync(KEY);

        // first pass: 3 ready pods at 20% of target; with the missing pod at target: ceil(0.4 * 4) = 2
        assertThat(storedHpa().getStatus().getDesiredReplicas()).isEqualTo(2);
    }

    // ---- fixtures ----------------------------------------------------------------------------------------

    private static Deployment deployment(int replicas) {
        return new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(NS).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .endSpec().build();
    }

    private static HorizontalPodAutoscaler hpa(int min, int max, int cpuPercent,
                                               HorizontalPodAutoscalerBehavior behavior) {
        return new HorizontalPodAutoscalerBuilder().withNewMetadata().withName("web").withNamespace(NS)
                .withGeneration(1L).endMetadata()
                .withNewSpec().withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment")
                .withName("web").endScaleTargetRef().withMinReplicas(min).withMaxReplicas(max)
                .addNewMetric().withType("Resource").withNewResource().withName("cpu").withNewTarget()
                .withType("Utilization").withAverageUtilization(cpuPercent).endTarget().endResource().endMetric()
                .withBehavior(behavior).endSpec().build();
    }

    private void observe(Deployment d, HorizontalPodAutoscaler hpa) {
        if (d != null) {
            api.seed(d);
        }
        if (api.resource(HorizontalPodAutoscaler.class).namespace(NS).list().items().isEmpty()) {
            api.seed(hpa);
        }
        HorizontalPodAutoscaler stored = storedHpa();
        informers.informer(HorizontalPodAutoscaler.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
    }

    private void observePod(String name) {
        String started = NOW.minus(Duration.ofMinutes(10)).toString();
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).addToLabels("app", "web")
                .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("nginx").withNewResources()
                .addToRequests("cpu", new Quantity("100m")).endResources().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withStartTime(started).addNewCondition().withType("Ready")
                .withStatus("True").withLastTransitionTime(started).endCondition().endStatus().build();
        api.seed(pod);
        Pod stored = api.pods().namespace(NS).get(name);
        informers.informer(Pod.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
    }

    private HorizontalPodAutoscaler storedHpa() {
        return api.resource(HorizontalPodAutoscaler.class).namespace(NS).get("web");
    }

    private static List<String> conditions(HorizontalPodAutoscaler hpa) {
        return hpa.getStatus().getConditions().stream().map((HorizontalPodAutoscalerCondition c) ->
                c.getType() + " " + c.getStatus() + " " + c.getReason() + " " + c.getMessage()).toList();
    }

    private List<String> actions() {
        return api.actions(INFORMER_VERBS).stream().map(Action::toString).toList();
    }
}

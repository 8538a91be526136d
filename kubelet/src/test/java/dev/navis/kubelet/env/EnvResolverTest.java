package dev.navis.kubelet.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.util.Clock;
import dev.navis.kubelet.TestPods;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvResolverTest {
    private final FakeKubeClient api = new FakeKubeClient();
    private final EnvResolver resolver = new EnvResolver(new ObjectSource(api, Clock.SYSTEM, Duration.ZERO),
            () -> Map.of("cpu", new Quantity("4"), "memory", new Quantity("8Gi")));

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, String> asMap(List<Map.Entry<String, String>> env) {
        Map<String, String> m = new LinkedHashMap<>();
        env.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    @Test
    void resolvesEnvFromThenEnvWithExpansionAndAllSources() throws Exception {
        api.seed(new ConfigMapBuilder().withNewMetadata().withName("cfg").withNamespace("default").endMetadata()
                        .withData(Map.of("MODE", "fast", "LEVEL", "3", "bad key", "skipped")).build(),
                new SecretBuilder().withNewMetadata().withName("creds").withNamespace("default").endMetadata()
                        .withData(Map.of("password", b64("s3cret"))).build());
        Pod pod = TestPods.pod("web").editMetadata().addToLabels("app", "web").endMetadata().editSpec().editFirstContainer()
                .addNewEnvFrom().withPrefix("CFG_").withNewConfigMapRef().withName("cfg").endConfigMapRef().endEnvFrom()
                .withEnv(new EnvVarBuilder().withName("GREETING").withValue("hello $(CFG_MODE) $(UNDEFINED) $$(CFG_MODE)").build(),
                        new EnvVarBuilder().withName("LEVEL").withNewValueFrom().withNewConfigMapKeyRef().withName("cfg")
                                .withKey("LEVEL").endConfigMapKeyRef().endValueFrom().build(),
                        new EnvVarBuilder().withName("PASSWORD").withNewValueFrom().withNewSecretKeyRef().withName("creds")
                                .withKey("password").endSecretKeyRef().endValueFrom().build(),
                        new EnvVarBuilder().withName("POD_NAME").withNewValueFrom().withNewFieldRef()
                                .withFieldPath("metadata.name").endFieldRef().endValueFrom().build(),
                        new EnvVarBuilder().withName("APP").withNewValueFrom().withNewFieldRef()
                                .withFieldPath("metadata.labels['app']").endFieldRef().endValueFrom().build(),
                        new EnvVarBuilder().withName("POD_IP").withNewValueFrom().withNewFieldRef()
                                .withFieldPath("status.podIP").endFieldRef().endValueFrom().build(),
                        new EnvVarBuilder().withName("MEM_LIMIT_MI").withNewValueFrom().withNewResourceFieldRef()
                                .withResource("limits.memory").withDivisor(new Quantity("1Mi")).endResourceFieldRef()
                                .endValueFrom().build(),
                        new EnvVarBuilder().withName("CPU_REQUEST_M").withNewValueFrom().withNewResourceFieldRef()
                                .withResource("requests.cpu").withDivisor(new Quantity("1m")).endResourceFieldRef()
                                .endValueFrom().build(),
                        new EnvVarBuilder().withName("CPU_LIMIT").withNewValueFrom().withNewResourceFieldRef()
                                .withResource("limits.cpu").endResourceFieldRef().endValueFrom().build())
                .withResources(new ResourceRequirementsBuilder().withRequests(Map.of("cpu", new Quantity("250m")))
                        .withLimits(Map.of("memory", new Quantity("100Mi"))).build())
                .endContainer().endSpec().build();
        PodStatus status = new PodStatus();
        status.setPodIP("10.1.0.9");
        Container c = pod.getSpec().getContainers().get(0);

        Map<String, String> env = asMap(resolver.resolve(pod, c, status));

        assertThat(env).containsExactly(
                Map.entry("CFG_LEVEL", "3"), Map.entry("CFG_MODE", "fast"),
                Map.entry("GREETING", "hello fast $(UNDEFINED) $(CFG_MODE)"),
                Map.entry("LEVEL", "3"), Map.entry("PASSWORD", "s3cret"), Map.entry("POD_NAME", "web"),
                Map.entry("APP", "web"), Map.entry("POD_IP", "10.1.0.9"), Map.entry("MEM_LIMIT_MI", "100"),
                Map.entry("CPU_REQUEST_M", "250"),
                // no cpu limit: the node's allocatable stands in, as upstream
                Map.entry("CPU_LIMIT", "4"));
    }

    @Test
    void missingReferencesFailWithUpstreamMessagesUnlessOptional() {
        Pod missingMap = TestPods.pod("web").editSpec().editFirstContainer().withEnv(new EnvVarBuilder().withName("X")
                .withNewValueFrom().withNewConfigMapKeyRef().withName("nope").withKey("k").endConfigMapKeyRef()
                .endValueFrom().build()).endContainer().endSpec().build();
        assertThatThrownBy(() -> resolver.resolve(missingMap, missingMap.getSpec().getContainers().get(0), null))
                .isInstanceOf(EnvResolver.EnvException.class).hasMessage("configmap \"nope\" not found");

        api.seed(new ConfigMapBuilder().withNewMetadata().withName("cfg").withNamespace("default").endMetadata()
                .withData(Map.of("a", "1")).build());
        Pod missingKey = TestPods.pod("web").editSpec().editFirstContainer().withEnv(new EnvVarBuilder().withName("X")
                .withNewValueFrom().withNewConfigMapKeyRef().withName("cfg").withKey("b").endConfigMapKeyRef()
                .endValueFrom().build()).endContainer().endSpec().build();
        assertThatThrownBy(() -> resolver.resolve(missingKey, missingKey.getSpec().getContainers().get(0), null))
                .hasMessage("couldn't find key b in ConfigMap default/cfg");

        Pod optional = TestPods.pod("web").editSpec().editFirstContainer().withEnv(
                new EnvVarBuilder().withName("X").withNewValueFrom().withNewSecretKeyRef().withName("nope").withKey("k")
                        .withOptional(true).endSecretKeyRef().endValueFrom().build(),
                new EnvVarBuilder().withName("Y").withValue("y").build())
                .addNewEnvFrom().withNewSecretRef().withName("absent").withOptional(true).endSecretRef().endEnvFrom()
                .endContainer().endSpec().build();
        assertThat(asMap(assertResolves(optional))).containsExactly(Map.entry("Y", "y"));
    }

    private List<Map.Entry<String, String>> assertResolves(Pod pod) {
        try {
            return resolver.resolve(pod, pod.getSpec().getContainers().get(0), null);
        } catch (EnvResolver.EnvException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void serviceLinksAddDockerStyleVariablesThatEnvCanUseAndOverride() throws Exception {
        api.seed(new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("kubernetes")
                        .withNamespace("default").endMetadata().withNewSpec().withClusterIP("10.43.0.1")
                        .addNewPort().withName("https").withPort(443).withProtocol("TCP").endPort().endSpec().build(),
                new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("redis-main")
                        .withNamespace("apps").endMetadata().withNewSpec().withClusterIP("10.43.7.9")
                        .addNewPort().withPort(6379).endPort().endSpec().build(),
                new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withName("headless")
                        .withNamespace("apps").endMetadata().withNewSpec().withClusterIP("None")
                        .addNewPort().withPort(80).endPort().endSpec().build());
        Pod pod = TestPods.pod("web").editMetadata().withNamespace("apps").endMetadata().editSpec().editFirstContainer()
                .withEnv(new EnvVarBuilder().withName("REDIS").withValue("$(REDIS_MAIN_SERVICE_HOST):$(REDIS_MAIN_SERVICE_PORT)").build(),
                        new EnvVarBuilder().withName("KUBERNETES_SERVICE_PORT").withValue("8443").build())
                .endContainer().endSpec().build();
        Map<String, String> env = asMap(resolver.resolve(pod, pod.getSpec().getContainers().get(0), null));
        assertThat(env).containsEntry("REDIS", "10.43.7.9:6379")
                .containsEntry("REDIS_MAIN_PORT", "tcp://10.43.7.9:6379")
                .containsEntry("REDIS_MAIN_PORT_6379_TCP", "tcp://10.43.7.9:6379")
                .containsEntry("REDIS_MAIN_PORT_6379_TCP_ADDR", "10.43.7.9")
                .containsEntry("KUBERNETES_SERVICE_HOST", "10.43.0.1")
                .containsEntry("KUBERNETES_SERVICE_PORT_HTTPS", "443")
                .containsEntry("KUBERNETES_SERVICE_PORT", "8443")
                .doesNotContainKey("HEADLESS_SERVICE_HOST");

        Pod noLinks = new io.fabric8.kubernetes.api.model.PodBuilder(pod).editSpec().withEnableServiceLinks(false)
                .editFirstContainer().withEnv().endContainer().endSpec().build();
        Map<String, String> onlyMaster = asMap(resolver.resolve(noLinks, noLinks.getSpec().getContainers().get(0), null));
        assertThat(onlyMaster).containsEntry("KUBERNETES_SERVICE_HOST", "10.43.0.1").doesNotContainKey("REDIS_MAIN_SERVICE_HOST");
    }

    @Test
    void expansionFollowsUpstreamRules() {
        Map<String, String> vars = Map.of("A", "1", "B", "two");
        assertThat(Expansion.expand("$(A)-$(B)", vars::get)).isEqualTo("1-two");
        assertThat(Expansion.expand("$$(A)", vars::get)).isEqualTo("$(A)");
        assertThat(Expansion.expand("$(C)", vars::get)).isEqualTo("$(C)");
        assertThat(Expansion.expand("$(A", vars::get)).isEqualTo("$(A");
        assertThat(Expansion.expand("cost: $5", vars::get)).isEqualTo("cost: $5");
    }
}

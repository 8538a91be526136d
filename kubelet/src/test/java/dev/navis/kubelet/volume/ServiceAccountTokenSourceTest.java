package dev.navis.kubelet.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.kubelet.TestPods;
import dev.navis.kubelet.env.ObjectSource;
import io.fabric8.kubernetes.api.model.Pod;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serviceAccountToken projections: TokenRequests bound to the pod, renewed at 80% of their lifetime. */
class ServiceAccountTokenSourceTest {
    @TempDir
    Path root;

    private final FakeKubeClient api = new FakeKubeClient();
    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final List<JsonNode> requests = new ArrayList<>();

    private VolumeManager manager() {
        api.prependReactor("create", "serviceaccounts", (Action a) -> {
            if (!"token".equals(a.subresource())) {
                return null;
            }
            ObjectNode answer = ((ObjectNode) a.object()).deepCopy();
            requests.add(answer.deepCopy());
            ObjectNode status = answer.putObject("status");
            status.put("token", "token-" + requests.size() + "-for-" + a.name());
            status.put("expirationTimestamp", clock.now().plusSeconds(answer.path("spec").path("expirationSeconds")
                    .asLong()).toString());
            return answer;
        });
        return new VolumeManager(root, new ObjectSource(api, clock, Duration.ZERO), Mounter.SYSTEM, Map::of,
                new ServiceAccountTokenSource(api, clock));
    }

    private static Pod pod() {
        return TestPods.pod("web").editMetadata().withUid("uid-1").endMetadata().editSpec()
                .withServiceAccountName("robot")
                .addNewVolume().withName("kube-api-access-abcde").withNewProjected().withDefaultMode(0644)
                .addNewSource().withNewServiceAccountToken().withPath("token").withExpirationSeconds(3607L)
                .endServiceAccountToken().endSource()
                .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace").withNewFieldRef()
                .withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI().endSource()
                .endProjected().endVolume().endSpec().build();
    }

    @Test
    void theTokenIsRequestedBoundToThePodAndRenewedAtEightyPercent() throws Exception {
        VolumeManager manager = manager();
        try {
            Pod pod = pod();
            Path dir = manager.prepare(pod, null).get("kube-api-access-abcde");
            assertThat(Files.readString(dir.resolve("token"))).isEqualTo("token-1-for-robot");
            assertThat(Files.readString(dir.resolve("namespace"))).isEqualTo("default");
            JsonNode first = requests.get(0).path("spec");
            assertThat(first.path("expirationSeconds").asLong()).isEqualTo(3607L);
            assertThat(first.has("audiences")).isFalse();
            assertThat(first.path("boundObjectRef").path("kind").asString()).isEqualTo("Pod");
            assertThat(first.path("boundObjectRef").path("name").asString()).isEqualTo("web");
            assertThat(first.path("boundObjectRef").path("uid").asString()).isEqualTo("uid-1");

            clock.advance(Duration.ofSeconds(2800)); // before 80% of 3607 s (2885.6 s): the same token
            manager.prepare(pod, null);
            assertThat(requests).hasSize(1);
            clock.advance(Duration.ofSeconds(100));
            manager.prepare(pod, null);
            assertThat(requests).hasSize(2);
            assertThat(Files.readString(dir.resolve("token"))).isEqualTo("token-2-for-robot");

            manager.cleanup("uid-1");
            manager.prepare(pod, null);
            assertThat(requests).hasSize(3);
        } finally {
            manager.cleanup("uid-1"); // unmounts the projected volume's tmpfs (a real mount when run as root)
        }
    }

    @Test
    void refreshRule() {
        Instant iat = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(ServiceAccountTokenSource.needsRefresh(iat, iat.plusSeconds(1000), iat.plusSeconds(799))).isFalse();
        assertThat(ServiceAccountTokenSource.needsRefresh(iat, iat.plusSeconds(1000), iat.plusSeconds(800))).isTrue();
        // a week-long token is renewed after a day
        assertThat(ServiceAccountTokenSource.needsRefresh(iat, iat.plus(Duration.ofDays(7)), iat.plus(Duration.ofHours(24))))
                .isTrue();
    }

    @Test
    void aFailedRequestFailsTheVolume() {
        VolumeManager manager = new VolumeManager(root, new ObjectSource(api, clock, Duration.ZERO), Mounter.SYSTEM,
                Map::of, new ServiceAccountTokenSource(api, clock));
        assertThatThrownBy(() -> manager.prepare(pod(), null)).isInstanceOf(VolumeManager.VolumeException.class)
                .hasMessageContaining("kube-api-access-abcde").hasMessageContaining("failed to fetch token");
    }
}

package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.ListOptions;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real API server plus the controller manager: a StatefulSet with OrderedReady makes web-0 only until the
 * test (standing in for a kubelet) reports it Running and Ready through pods/status, then web-1; a DaemonSet
 * gets one pod per Node object created through the API.
 */
class StatefulSetDaemonSetIntegrationTest {

    private static final String STATEFUL_SET = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: web
              namespace: default
            spec:
              replicas: 3
              serviceName: web
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: nginx
                    image: nginx
              volumeClaimTemplates:
              - metadata:
                  name: data
                spec:
                  accessModes: ["ReadWriteOnce"]
                  resources:
                    requests:
                      storage: 1Gi
            """;

    private static final String DAEMON_SET = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: agent
              namespace: default
            spec:
              selector:
                matchLabels:
                  app: agent
              template:
                metadata:
                  labels:
                    app: agent
                spec:
                  containers:
                  - name: agent
                    image: agent
            """;

    private static ControlPlaneFixture cluster;
    private static RestKubeClient client;

    @BeforeAll
    static void start() throws Exception {
        cluster = ControlPlaneFixture.start("navis-sets-it");
        client = cluster.client;
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void orderedReadyStatefulSetWaitsForEachPodToBeReady() throws Exception {
        Path manifest = cluster.dir.resolve("sts.yaml");
        Files.writeString(manifest, STATEFUL_SET);
        assertThat(cluster.kubectl("create", "-f", manifest.toString())).contains("statefulset.apps/web created");

        await().atMost(Duration.ofSeconds(20)).until(() -> names("app=web").equals(List.of("web-0")));
        Pod web0 = client.pods().namespace("default").get("web-0");
        assertThat(web0.getSpec().getHostname()).isEqualTo("web-0");
        assertThat(web0.getSpec().getSubdomain()).isEqualTo("web");
        assertThat(web0.getMetadata().getLabels()).containsEntry("statefulset.kubernetes.io/pod-name", "web-0")
                .containsKey("controller-revision-hash");
        assertThat(client.resource(io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class).namespace("default")
                .get("data-web-0").getMetadata().getLabels()).containsEntry("app", "web");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var s = client.statefulSets().namespace("default").get("web").getStatus();
            return s != null && Integer.valueOf(1).equals(s.getReplicas()) && s.getUpdateRevision() != null;
        });
        // that status was written by a sync that saw web-0 Pending and, ordered, created nothing more
        assertThat(names("app=web")).containsExactly("web-0");

        markRunningAndReady("web-0");

        await().atMost(Duration.ofSeconds(20)).until(() -> names("app=web").equals(List.of("web-0", "web-1")));
        assertThat(cluster.kubectl("rollout", "history", "statefulset/web")).contains("REVISION").contains("1");
        markRunningAndReady("web-1");
        await().atMost(Duration.ofSeconds(20)).until(() -> names("app=web").size() == 3);
        markRunningAndReady("web-2");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var s = client.statefulSets().namespace("default").get("web").getStatus();
            return s != null && Integer.valueOf(3).equals(s.getReadyReplicas());
        });
        assertThat(cluster.kubectl("rollout", "status", "statefulset/web", "--timeout=5s"))
                .contains("partitioned roll out complete");

        // a template change rolls from the highest ordinal; undo brings the first template back as revision 3
        String firstUid = client.pods().namespace("default").get("web-2").getMetadata().getUid();
        cluster.kubectl("set", "image", "statefulset/web", "nginx=nginx:2");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Pod p = pod("web-2");
            return p != null && !p.getMetadata().getUid().equals(firstUid);
        });
        assertThat(pod("web-2").getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:2");
        assertThat(pod("web-1").getSpec().getContainers().get(0).getImage()).as("web-2 is not ready yet").isEqualTo("nginx");
        assertThat(cluster.kubectl("rollout", "history", "statefulset/web")).containsPattern("(?m)^1 ").containsPattern("(?m)^2 ");
        cluster.kubectl("rollout", "undo", "statefulset/web");
        assertThat(client.statefulSets().namespace("default").get("web").getSpec().getTemplate().getSpec().getContainers()
                .get(0).getImage()).isEqualTo("nginx");
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.kubectl("rollout", "history", "statefulset/web")
                .matches("(?s).*\\n2 .*\\n3 .*"));
    }

    private static Pod pod(String name) {
        try {
            Pod p = client.pods().namespace("default").get(name);
            return p.getMetadata().getDeletionTimestamp() == null ? p : null;
        } catch (dev.navis.client.ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }

    @Test
    void daemonSetRunsOnePodPerNode() throws Exception {
        for (String name : List.of("node-a", "node-b")) {
            client.nodes().create(new NodeBuilder().withNewMetadata().withName(name)
                    .addToLabels("kubernetes.io/hostname", name).endMetadata().build());
        }
        Path manifest = cluster.dir.resolve("ds.yaml");
        Files.writeString(manifest, DAEMON_SET);
        assertThat(cluster.kubectl("create", "-f", manifest.toString())).contains("daemonset.apps/agent created");

        await().atMost(Duration.ofSeconds(20)).until(() -> names("app=agent").size() == 2);
        assertThat(pods("app=agent")).extracting(StatefulSetDaemonSetIntegrationTest::pinnedNode)
                .containsExactlyInAnyOrder("node-a", "node-b");

        client.nodes().create(new NodeBuilder().withNewMetadata().withName("node-c").endMetadata().build());

        await().atMost(Duration.ofSeconds(20)).until(() -> names("app=agent").size() == 3);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var s = client.daemonSets().namespace("default").get("agent").getStatus();
            return s != null && Integer.valueOf(3).equals(s.getDesiredNumberScheduled())
                    && Integer.valueOf(3).equals(s.getCurrentNumberScheduled());
        });
        for (String name : names("app=agent")) {
            markRunningAndReady(name);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            var s = client.daemonSets().namespace("default").get("agent").getStatus();
            return Integer.valueOf(3).equals(s.getNumberAvailable()) && Integer.valueOf(3).equals(s.getUpdatedNumberScheduled());
        });
        assertThat(cluster.kubectl("rollout", "status", "daemonset/agent", "--timeout=5s"))
                .contains("daemon set \"agent\" successfully rolled out");
    }

    private static String pinnedNode(Pod p) {
        return p.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().get(0).getMatchFields().get(0).getValues().get(0);
    }

    /** What a kubelet would report: the pod runs and passes its readiness probe. */
    private static void markRunningAndReady(String name) {
        Pod pod = client.pods().namespace("default").get(name);
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withConditions(new PodConditionBuilder()
                .withType("Ready").withStatus("True").withLastTransitionTime(Instant.now().toString()).build()).build());
        client.pods().namespace("default").updateStatus(pod);
    }

    private static List<Pod> pods(String selector) {
        return client.pods().namespace("default").list(ListOptions.ALL.withLabelSelector(selector)).items().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static List<String> names(String selector) {
        return pods(selector).stream().map(p -> p.getMetadata().getName()).sorted().toList();
    }
}

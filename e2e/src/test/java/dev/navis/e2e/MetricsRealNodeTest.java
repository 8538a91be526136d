package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The resource metrics pipeline on the real node: the kubelet's /metrics/resource, scraped every 15 s by the API
 * server, served as metrics.k8s.io, read by the real {@code kubectl top} and by the HPA controller. A Deployment of
 * one busybox pod spinning a shell loop shows CPU in {@code kubectl top pod}; {@code kubectl top node} lists the node;
 * {@code kubectl autoscale} on that Deployment (50% of a 50m request) scales it to its maximum of 2. Needs root and
 * containerd; skipped otherwise. Afterwards every object is deleted, the server stopped, and neither its processes,
 * mounts nor (when this test created it) the pod bridge remain.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class MetricsRealNodeTest {
    static final String NODE = "e2e-metrics-node";

    /** One spinning pod, 50m requested: it uses many times its request. */
    private static final String BURNER = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: burner, labels: {e2e: metrics}}
            spec:
              replicas: 1
              selector: {matchLabels: {app: burner}}
              template:
                metadata: {labels: {app: burner}}
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: spin
                    image: busybox:latest
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "while :; do :; done"]
                    resources: {requests: {cpu: 50m}}
            """.formatted(NODE);

    private RealNodeServer node;
    private Kubectl kubectl;

    @BeforeAll
    void startServerWithNode() throws Exception {
        node = RealNodeServer.start(NODE);
        kubectl = node.kubectl();
    }

    @AfterAll
    void deleteEverythingAndStopServer() throws Exception {
        if (node == null) {
            return;
        }
        try {
            kubectl.run("delete", "hpa,deployments", "-l", "e2e=metrics", "--wait=true", "--timeout=60s");
            kubectl.run("delete", "hpa", "burner", "--ignore-not-found");
            node.stopLeavingNothing();
        } finally {
            node.close();
        }
    }

    @Test
    @Order(1)
    void kubectlTopShowsTheSpinningPodsCpuAndTheNode() {
        kubectl.okWithInput(BURNER, "apply", "-f", "-");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(kubectl.ok("get", "deployment", "burner",
                "-o", "jsonpath={.status.readyReplicas}")).isEqualTo("1"));
        // two scrapes 15 s apart give the first rate (a container 10-15 s old is measured from its start)
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            Kubectl.Result top = kubectl.run("top", "pod", "-l", "app=burner", "--no-headers");
            assertThat(top.exitCode()).as(top.toString()).isZero();
            String[] columns = top.out().strip().split("\\s+");
            assertThat(columns[0]).startsWith("burner-");
            assertThat(millicores(columns[1])).as(top.out()).isGreaterThan(100);
        });
        String containers = kubectl.ok("top", "pod", "-l", "app=burner", "--containers", "--no-headers");
        assertThat(containers.strip().split("\\s+")[1]).isEqualTo("spin");

        // the group as kubectl discovers it, and its server-side table
        assertThat(kubectl.ok("api-resources", "--api-group=metrics.k8s.io", "--no-headers")).contains("PodMetrics")
                .contains("NodeMetrics");
        String table = kubectl.ok("get", "podmetrics", "-l", "app=burner");
        assertThat(table.lines().findFirst().orElse("").split("\\s+")).containsExactly("NAME", "CPU", "MEMORY",
                "WINDOW");

        // the node's own rate needs two samples of the node (a new container is measured from its start)
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            Kubectl.Result top = kubectl.run("top", "node", "--no-headers");
            assertThat(top.exitCode()).as(top.toString()).isZero();
            String[] node = top.out().strip().split("\\s+");
            assertThat(node[0]).isEqualTo(NODE);
            assertThat(millicores(node[1])).isGreaterThan(100);
            assertThat(node[3]).endsWith("Mi");
        });
    }

    @Test
    @Order(2)
    void theHorizontalPodAutoscalerScalesTheSpinningDeploymentUp() {
        kubectl.ok("autoscale", "deployment", "burner", "--cpu-percent=50", "--min=1", "--max=2");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            // the whole status on failure: the condition's reason and message say which metric step failed
            assertThat(kubectl.ok("get", "hpa", "burner", "-o",
                    "jsonpath={.status.conditions[?(@.type==\"ScalingActive\")].status}"))
                    .as(() -> kubectl.run("get", "hpa", "burner", "-o", "jsonpath={.status}") + "\n"
                            + kubectl.run("top", "pod", "-l", "app=burner", "--no-headers"))
                    .isEqualTo("True");
            assertThat(kubectl.ok("get", "deployment", "burner", "-o", "jsonpath={.spec.replicas}")).isEqualTo("2");
        });
        String utilization = kubectl.ok("get", "hpa", "burner", "-o",
                "jsonpath={.status.currentMetrics[0].resource.current.averageUtilization}");
        assertThat(Integer.parseInt(utilization)).isGreaterThan(50);
    }

    /** "250m" or "1" (cores) as millicores. */
    private static long millicores(String cpu) {
        return cpu.endsWith("m") ? Long.parseLong(cpu.substring(0, cpu.length() - 1)) : Long.parseLong(cpu) * 1000;
    }
}

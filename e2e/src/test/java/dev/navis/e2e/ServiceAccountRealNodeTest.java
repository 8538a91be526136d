package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * Service-account tokens on the real node: a busybox pod gets the kube-api-access volume the ServiceAccount admission
 * adds, the kubelet fills it with a token from the TokenRequest API (bound to the pod), the root CA from
 * {@code kube-root-ca.crt} and the namespace; that token, read from inside the container, authenticates at the API
 * server as {@code system:serviceaccount:default:default} (checked with real kubectl's {@code auth whoami}) until the
 * pod is deleted. {@code kubectl create token} works the same way. Needs root and containerd; skipped otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServiceAccountRealNodeTest {
    static final String NODE = "e2e-sa-node";
    private static final String MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

    private RealNodeServer node;
    private NavisServer server;
    private Kubectl kubectl;
    private String podToken;

    @BeforeAll
    void startServerWithNode() throws Exception {
        node = RealNodeServer.start(NODE);
        server = node.server();
        kubectl = node.kubectl();
    }

    @AfterAll
    void deletePodsAndStopServer() throws Exception {
        if (node == null) {
            return;
        }
        try {
            node.stopLeavingNothing();
        } finally {
            node.close();
        }
    }

    @Test
    @Order(1)
    void aPodReadsATokenThatAuthenticatesAsItsServiceAccount() throws Exception {
        kubectl.okWithInput("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: sa-reader
                spec:
                  nodeName: %s
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: main
                    image: busybox:latest
                    imagePullPolicy: IfNotPresent
                    command: ["sleep", "3600"]
                """.formatted(NODE), "apply", "-f", "-");
        assertThat(kubectl.ok("get", "pod", "sa-reader", "-o", "jsonpath={.spec.serviceAccountName}"))
                .isEqualTo("default");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(kubectl.ok("get", "pod", "sa-reader",
                "-o", "jsonpath={.status.phase}")).isEqualTo("Running"));

        podToken = kubectl.ok("exec", "sa-reader", "--", "cat", MOUNT + "/token");
        assertThat(podToken).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        assertThat(kubectl.ok("exec", "sa-reader", "--", "cat", MOUNT + "/namespace")).isEqualTo("default");
        assertThat(kubectl.ok("exec", "sa-reader", "--", "cat", MOUNT + "/ca.crt"))
                .isEqualTo(Files.readString(server.dataDir().resolve("pki/ca.crt")));
        // the volume is mounted read-only
        assertThat(kubectl.run("exec", "sa-reader", "--", "touch", MOUNT + "/x").ok()).isFalse();

        assertThat(whoami(podToken).out()).isEqualTo("system:serviceaccount:default:default");
    }

    @Test
    @Order(2)
    void kubectlCreateTokenAuthenticatesAsTheServiceAccount() throws Exception {
        String token = kubectl.ok("create", "token", "default").trim();
        assertThat(whoami(token).out()).isEqualTo("system:serviceaccount:default:default");
    }

    @Test
    @Order(3)
    void thePodsTokenStopsWorkingOnceThePodIsGone() throws Exception {
        kubectl.ok("delete", "pod", "sa-reader", "--wait=true", "--timeout=60s");
        Kubectl.Result after = whoami(podToken);
        assertThat(after.ok()).as(after.toString()).isFalse();
        assertThat(after.err()).contains("Unauthorized");
    }

    /** {@code kubectl auth whoami} with only the CA and {@code token} (no client certificate). */
    private Kubectl.Result whoami(String token) throws Exception {
        String url = kubectl.ok("config", "view", "-o", "jsonpath={.clusters[0].cluster.server}");
        Path config = server.kubeconfig().resolveSibling("token-kubeconfig.yaml");
        Files.writeString(config, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: navis
                  cluster:
                    server: %s
                    certificate-authority: %s
                users:
                - name: sa
                  user:
                    token: %s
                contexts:
                - name: sa
                  context:
                    cluster: navis
                    user: sa
                current-context: sa
                """.formatted(url, server.dataDir().resolve("pki/ca.crt"), token));
        return new Kubectl(config).run("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
    }
}

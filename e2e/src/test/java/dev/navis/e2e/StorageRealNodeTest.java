package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Persistent storage on the real node, as k3s's local-path works out of the box: a StatefulSet with a
 * volumeClaimTemplate of the default class gets a hostPath volume under the server's data directory on the node the
 * scheduler chose; each of its pods appends its UID to a file in the volume, so the pod the StatefulSet makes after
 * the first is deleted finds the first one's line. Deleting the StatefulSet and the claim deletes the PV and its
 * directory. Needs root and containerd; skipped otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StorageRealNodeTest {
    static final String NODE = "e2e-storage-node";

    private static final String STATEFUL_SET = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db}
            spec:
              replicas: 1
              serviceName: db
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: db
                    image: busybox:latest
                    imagePullPolicy: IfNotPresent
                    command: ["sh", "-c", "echo $POD_UID >> /data/uids; sleep 3600"]
                    env: [{name: POD_UID, valueFrom: {fieldRef: {fieldPath: metadata.uid}}}]
                    volumeMounts: [{name: data, mountPath: /data}]
              volumeClaimTemplates:
              - metadata: {name: data}
                spec:
                  accessModes: ["ReadWriteOnce"]
                  resources: {requests: {storage: 64Mi}}
            """;

    private RealNodeServer node;
    private NavisServer server;
    private Kubectl kubectl;

    @BeforeAll
    void startServerWithNode() throws Exception {
        node = RealNodeServer.start(NODE);
        server = node.server();
        kubectl = node.kubectl();
    }

    @AfterAll
    void deleteEverythingAndStopServer() throws Exception {
        if (node == null) {
            return;
        }
        try {
            kubectl.run("delete", "statefulset", "db", "--ignore-not-found", "--wait=true", "--timeout=60s");
            kubectl.run("delete", "pods", "--all", "--grace-period=1", "--wait=true", "--timeout=60s");
            kubectl.run("delete", "pvc", "--all", "--wait=true", "--timeout=60s");
            node.stopLeavingNothing();
        } finally {
            node.close();
        }
    }

    @Test
    void statefulSetVolumeOutlivesItsPodAndIsDeletedWithItsClaim() {
        assertThat(kubectl.ok("get", "storageclass", "local-path", "-o",
                "jsonpath={.provisioner} {.volumeBindingMode} {.metadata.annotations.storageclass\\.kubernetes\\.io/is-default-class}"))
                .isEqualTo("rancher.io/local-path WaitForFirstConsumer true");
        kubectl.okWithInput(STATEFUL_SET, "apply", "-f", "-");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(jp("pod", "db-0", "{.status.phase}"))
                .isEqualTo("Running"));
        assertThat(jp("pvc", "data-db-0", "{.status.phase} {.spec.storageClassName}")).isEqualTo("Bound local-path");
        String pv = jp("pvc", "data-db-0", "{.spec.volumeName}");
        Path dir = Path.of(jp("pv", pv, "{.spec.hostPath.path}"));
        assertThat(dir).startsWith(server.dataDir().resolve("storage").toAbsolutePath());
        assertThat(jp("pv", pv, "{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}"))
                .isEqualTo(NODE);
        String firstUid = jp("pod", "db-0", "{.metadata.uid}");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                kubectl.ok("exec", "db-0", "--", "cat", "/data/uids").strip()).isEqualTo(firstUid));
        assertThat(dir.resolve("uids")).exists();

        kubectl.ok("delete", "pod", "db-0", "--wait=true", "--timeout=60s");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(jp("pod", "db-0", "{.metadata.uid}")).isNotEqualTo(firstUid);
            assertThat(jp("pod", "db-0", "{.status.phase}")).isEqualTo("Running");
        });
        String secondUid = jp("pod", "db-0", "{.metadata.uid}");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                kubectl.ok("exec", "db-0", "--", "cat", "/data/uids").strip()).isEqualTo(firstUid + "\n" + secondUid));

        kubectl.ok("delete", "statefulset", "db", "--wait=true", "--timeout=60s");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kubectl.ok("get", "pods", "-o", "name"))
                .isEmpty());
        kubectl.ok("delete", "pvc", "data-db-0", "--wait=true", "--timeout=60s");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(kubectl.ok("get", "pv", "-o", "name")).isEmpty();
            assertThat(dir).doesNotExist();
        });
    }

    private String jp(String kind, String name, String path) {
        return kubectl.ok("get", kind, name, "-o", "jsonpath=" + path);
    }
}

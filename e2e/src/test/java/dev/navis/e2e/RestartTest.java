package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** State survives restarts and crashes: what the server acknowledged is there afterwards. */
@org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class RestartTest {

    @Test
    void objectsUidsAndResourceVersionsSurviveAGracefulRestart() throws Exception {
        try (NavisServer server = NavisServer.start()) {
            Kubectl kubectl = new Kubectl(server.kubeconfig());
            for (int i = 0; i < 5; i++) {
                kubectl.ok("create", "configmap", "cm-" + i, "--from-literal=i=" + i);
                kubectl.ok("label", "configmap", "cm-" + i, "made-by=restart-test");
            }
            // the configmaps made here (not kube-root-ca.crt, which the controller manager publishes meanwhile)
            String before = kubectl.ok("get", "configmaps", "-l", "made-by=restart-test", "-o",
                    "jsonpath={range .items[*]}{.metadata.name} {.metadata.uid} {.metadata.resourceVersion}{\"\\n\"}{end}");
            String lastRv = kubectl.ok("get", "configmap", "cm-4", "-o", "jsonpath={.metadata.resourceVersion}");

            server.stop();
            server.launch();

            String after = kubectl.ok("get", "configmaps", "-l", "made-by=restart-test", "-o",
                    "jsonpath={range .items[*]}{.metadata.name} {.metadata.uid} {.metadata.resourceVersion}{\"\\n\"}{end}");
            assertThat(after).isEqualTo(before);

            // a watch resumes from the last resourceVersion seen before the restart
            Path out = Files.createTempFile("watch", ".txt");
            String raw = "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + lastRv;
            Process watch = kubectl.start(out, "get", "--raw", raw);
            try {
                kubectl.ok("create", "configmap", "after-restart", "--from-literal=a=b");
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Files.readString(out))
                        .contains("\"type\":\"ADDED\"").contains("after-restart").doesNotContain("\"name\":\"cm-4\""));
            } finally {
                watch.destroyForcibly().waitFor();
                Files.deleteIfExists(out);
            }
        }
    }

    @Test
    void everyAcknowledgedCreateSurvivesKillDashNine() throws Exception {
        try (NavisServer server = NavisServer.start()) {
            Kubectl kubectl = new Kubectl(server.kubeconfig());
            List<String> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; running.get(); i++) {
                        String name = "w" + writer + "-" + i;
                        if (kubectl.run("create", "configmap", name, "--from-literal=i=" + i).ok()) {
                            acknowledged.add(name);
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 15);
            server.kill();
            running.set(false);
            for (Thread t : writers) {
                t.join();
            }
            List<String> acked = List.copyOf(acknowledged);

            server.launch();
            Set<String> stored = new HashSet<>(kubectl.ok("get", "configmaps", "-o", "name").lines()
                    .map(l -> l.substring(l.indexOf('/') + 1)).toList());
            assertThat(stored).containsAll(acked);
        }
    }
}

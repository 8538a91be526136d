package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/** The API server judged by the real kubectl: the everyday commands of a Kubernetes user. */
@org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlScenarioTest {
    static final String MANIFEST = """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: demo
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: app-config
              namespace: demo
            data:
              greeting: hello
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: app-secret
              namespace: demo
            stringData:
              password: s3cret
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: demo
              labels:
                app: web
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: web
                    image: busybox:1.36
                    ports:
                    - containerPort: 8080
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: demo
            spec:
              selector:
                app: web
              ports:
              - port: 80
                targetPort: 8080
            """;

    NavisServer server;
    Kubectl kubectl;

    @BeforeAll
    void startServer() {
        server = NavisServer.start();
        kubectl = new Kubectl(server.kubeconfig());
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void applyCreatesEveryDocumentThenReportsUnchanged() {
        String first = kubectl.okWithInput(MANIFEST, "apply", "-f", "-");
        assertThat(first).contains("namespace/demo created", "configmap/app-config created",
                "secret/app-secret created", "deployment.apps/web created", "service/web created");

        String second = kubectl.okWithInput(MANIFEST, "apply", "-f", "-");
        assertThat(second).contains("namespace/demo unchanged", "configmap/app-config unchanged",
                "deployment.apps/web unchanged", "service/web unchanged");

        String edited = kubectl.okWithInput(MANIFEST.replace("replicas: 2", "replicas: 3"), "apply", "-f", "-");
        assertThat(edited).contains("deployment.apps/web configured", "configmap/app-config unchanged");
        assertThat(kubectl.ok("get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.spec.replicas}")).isEqualTo("3");
    }

    @Test
    @Order(2)
    void getPrintsUpstreamColumnsInEveryOutputFormat() {
        String table = kubectl.ok("get", "deployments", "-n", "demo");
        assertThat(table.lines().findFirst().orElseThrow())
                .matches("NAME\\s+READY\\s+UP-TO-DATE\\s+AVAILABLE\\s+AGE\\s*");
        // no nodes yet: the pods the controllers create stay Pending, so none is ready or available
        assertThat(table).containsPattern("web\\s+0/3\\s+\\d+\\s+0\\s+\\d+s");

        String wide = kubectl.ok("get", "deployments", "-n", "demo", "-o", "wide");
        assertThat(wide.lines().findFirst().orElseThrow()).contains("CONTAINERS", "IMAGES", "SELECTOR");
        assertThat(wide).contains("busybox:1.36", "app=web");

        assertThat(kubectl.ok("get", "svc", "web", "-n", "demo")).containsPattern("web\\s+ClusterIP\\s+10\\.43\\.\\d+\\.\\d+\\s+<none>\\s+80/TCP");
        assertThat(kubectl.ok("get", "deploy", "web", "-n", "demo", "-o", "yaml"))
                .contains("kind: Deployment", "name: web", "resourceVersion:", "uid:", "creationTimestamp:");
        assertThat(kubectl.ok("get", "configmap", "app-config", "-n", "demo", "-o", "json"))
                .contains("\"greeting\": \"hello\"");
        assertThat(kubectl.ok("get", "cm", "app-config", "-n", "demo", "-o", "jsonpath={.data.greeting}")).isEqualTo("hello");
        assertThat(kubectl.ok("get", "deploy,svc", "-n", "demo", "-o", "name").lines().toList())
                .containsExactlyInAnyOrder("deployment.apps/web", "service/web");
        assertThat(kubectl.ok("get", "deploy", "-n", "demo", "-l", "app=web", "-o", "name")).contains("deployment.apps/web");
        assertThat(kubectl.ok("get", "deploy", "-n", "demo", "-l", "app=other", "-o", "name")).isEmpty();
        String all = kubectl.ok("get", "configmaps", "-A");
        assertThat(all.lines().findFirst().orElseThrow()).startsWith("NAMESPACE");
        assertThat(all).contains("demo", "app-config");
        assertThat(kubectl.ok("get", "namespaces")).contains("default", "kube-system", "kube-public", "kube-node-lease", "demo");
    }

    @Test
    @Order(3)
    void describeLabelAnnotateScale() {
        String described = kubectl.ok("describe", "deployment", "web", "-n", "demo");
        assertThat(described).containsPattern("Name:\\s+web").containsPattern("Namespace:\\s+demo")
                .contains("busybox:1.36");
        assertThat(kubectl.ok("label", "deploy", "web", "-n", "demo", "tier=frontend")).contains("deployment.apps/web labeled");
        assertThat(kubectl.ok("get", "deploy", "-n", "demo", "-l", "tier=frontend", "-o", "name")).contains("deployment.apps/web");
        assertThat(kubectl.ok("annotate", "deploy", "web", "-n", "demo", "owner=team-a")).contains("deployment.apps/web annotated");
        assertThat(kubectl.ok("get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.metadata.annotations.owner}")).isEqualTo("team-a");
        assertThat(kubectl.ok("scale", "deploy", "web", "-n", "demo", "--replicas=5")).contains("deployment.apps/web scaled");
        assertThat(kubectl.ok("get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.spec.replicas}")).isEqualTo("5");
    }

    @Test
    @Order(4)
    void patchWithEachPatchType() {
        assertThat(kubectl.ok("patch", "cm", "app-config", "-n", "demo", "--type=merge", "-p", "{\"data\":{\"color\":\"blue\"}}"))
                .contains("configmap/app-config patched");
        assertThat(kubectl.ok("patch", "cm", "app-config", "-n", "demo", "--type=json",
                "-p", "[{\"op\":\"replace\",\"path\":\"/data/greeting\",\"value\":\"hi\"}]")).contains("patched");
        assertThat(kubectl.ok("patch", "deploy", "web", "-n", "demo", "--type=strategic",
                "-p", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"busybox:1.37\"}]}}}}"))
                .contains("deployment.apps/web patched");
        assertThat(kubectl.ok("get", "cm", "app-config", "-n", "demo", "-o", "jsonpath={.data.greeting}/{.data.color}")).isEqualTo("hi/blue");
        // strategic merge by name keeps the container's ports while changing its image
        assertThat(kubectl.ok("get", "deploy", "web", "-n", "demo",
                "-o", "jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}"))
                .isEqualTo("busybox:1.37 8080");
        assertThat(kubectl.ok("set", "image", "deploy/web", "-n", "demo", "web=busybox:1.38")).contains("image updated");
    }

    @Test
    @Order(5)
    void replaceAndStaleUpdateConflict() throws Exception {
        String yaml = kubectl.ok("get", "cm", "app-config", "-n", "demo", "-o", "yaml");
        String changed = yaml.replace("greeting: hi", "greeting: replaced");
        assertThat(kubectl.okWithInput(changed, "replace", "-f", "-")).contains("configmap/app-config replaced");
        // the same yaml again carries the old resourceVersion: a stale write
        Kubectl.Result stale = kubectl.runWithInput(yaml.replace("greeting: hi", "greeting: stale"), "replace", "-f", "-");
        assertThat(stale.exitCode()).isNotZero();
        assertThat(stale.err()).contains("Conflict", "Operation cannot be fulfilled on configmaps \"app-config\": the object has been modified; please apply your changes to the latest version and try again");
    }

    @Test
    @Order(6)
    void invalidObjectGetsUpstreamMessage() {
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: bad
                  namespace: demo
                spec:
                  containers:
                  - name: c
                """;
        Kubectl.Result r = kubectl.runWithInput(pod, "apply", "-f", "-");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("The Pod \"bad\" is invalid: spec.containers[0].image: Required value");
        Kubectl.Result missing = kubectl.run("get", "pod", "nope", "-n", "demo");
        assertThat(missing.err()).contains("Error from server (NotFound): pods \"nope\" not found");
    }

    @Test
    @Order(7)
    void diffShowsChangesAndNothingWhenEqual() {
        String current = MANIFEST.replace("replicas: 2", "replicas: 3");
        // the live object was scaled and patched since: diff reports the differences with exit code 1
        Kubectl.Result diff = kubectl.runWithInput(current, "diff", "-f", "-");
        assertThat(diff.exitCode()).as(diff.toString()).isEqualTo(1);
        assertThat(diff.out()).contains("replicas");
        kubectl.okWithInput(current, "apply", "-f", "-");
        Kubectl.Result none = kubectl.runWithInput(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fresh\n  namespace: demo\ndata:\n  a: b\n", "diff", "-f", "-");
        assertThat(none.exitCode()).as(none.toString()).isEqualTo(1);
        assertThat(none.out()).contains("+  name: fresh");
    }

    @Test
    @Order(8)
    void watchStreamsLaterChanges() throws Exception {
        Path out = Files.createTempFile("watch", ".txt");
        Process watch = kubectl.start(out, "get", "configmaps", "-n", "demo", "-w", "--output-watch-events");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(out).contains("app-config"));
            kubectl.ok("create", "configmap", "watched", "-n", "demo", "--from-literal=k=v");
            kubectl.ok("delete", "configmap", "watched", "-n", "demo");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(Files.readString(out))
                    .containsPattern("ADDED\\s+watched").containsPattern("DELETED\\s+watched"));
        } finally {
            watch.destroyForcibly().waitFor();
            Files.deleteIfExists(out);
        }
    }

    @Test
    @Order(9)
    void apiResourcesAndExplain() {
        String resources = kubectl.ok("api-resources");
        assertThat(resources).containsPattern("pods\\s+po\\s+v1\\s+true\\s+Pod")
                .containsPattern("deployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment")
                .contains("leases", "endpointslices", "horizontalpodautoscalers", "priorityclasses", "storageclasses");
        String explain = kubectl.ok("explain", "pod.spec.containers");
        assertThat(explain).contains("KIND:", "Pod").contains("containers").contains("DESCRIPTION:");
    }

    @Test
    @Order(10)
    void deleteWithEachCascadeAndWaitForDelete() {
        kubectl.ok("create", "configmap", "c1", "-n", "demo", "--from-literal=a=b");
        kubectl.ok("create", "configmap", "c2", "-n", "demo", "--from-literal=a=b");
        kubectl.ok("create", "configmap", "c3", "-n", "demo", "--from-literal=a=b");
        assertThat(kubectl.ok("delete", "configmap", "c1", "-n", "demo", "--cascade=background")).contains("configmap \"c1\" deleted");
        assertThat(kubectl.ok("delete", "configmap", "c2", "-n", "demo", "--cascade=orphan")).contains("configmap \"c2\" deleted");
        assertThat(kubectl.ok("delete", "configmap", "c3", "-n", "demo", "--cascade=foreground")).contains("configmap \"c3\" deleted");
        assertThat(kubectl.ok("get", "configmaps", "-n", "demo", "-o", "name")).doesNotContain("c1", "c2", "c3");

        kubectl.ok("create", "configmap", "gone", "-n", "demo", "--from-literal=a=b");
        kubectl.ok("delete", "configmap", "gone", "-n", "demo", "--wait=false");
        kubectl.ok("wait", "--for=delete", "configmap/gone", "-n", "demo", "--timeout=20s");

        assertThat(kubectl.ok("delete", "deploy", "web", "-n", "demo", "--cascade=foreground")).contains("deployment.apps \"web\" deleted");
        assertThat(kubectl.run("get", "deploy", "web", "-n", "demo").err()).contains("NotFound");
    }

    @Test
    @Order(11)
    void protectedNamespacesCannotBeDeleted() {
        Kubectl.Result r = kubectl.run("delete", "namespace", "kube-system");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("Forbidden");
        assertThat(kubectl.ok("delete", "namespace", "demo")).contains("namespace \"demo\" deleted");
        assertThat(kubectl.run("get", "namespace", "demo").err()).contains("NotFound");
    }
}

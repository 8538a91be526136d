package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real kubectl (v1.32 at /usr/bin/kubectl) against the REST API over plain HTTP. */
@Timeout(120)
class KubectlTest extends RestTestBase {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
    private Path dir;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void kubeconfig() throws IOException {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl not installed");
        dir = Files.createTempDirectory("navis-kubectl");
        Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                clusters:
                - name: navis
                  cluster:
                    server: %s
                contexts:
                - name: navis
                  context:
                    cluster: navis
                    user: navis
                current-context: navis
                users:
                - name: navis
                  user: {}
                """.formatted(base));
    }

    @AfterEach
    void cleanup() throws IOException {
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Run kubectl(String... args) throws Exception {
        return kubectlWithInput(null, args);
    }

    private Run kubectlWithInput(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(KUBECTL.toString());
        cmd.add("--kubeconfig=" + dir.resolve("config"));
        cmd.add("--cache-dir=" + dir.resolve("cache"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(dir.resolve("out").toFile());
        pb.redirectError(dir.resolve("err").toFile());
        Process p = pb.start();
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " timed out");
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        return new Run(p.exitValue(), Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
    }

    private static final String MANIFEST = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              namespace: default
            data:
              color: blue
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: default
            spec:
              replicas: 2
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: nginx
                    image: nginx
            """;

    @Test
    void applyGetDescribeDelete() throws Exception {
        Run apply = kubectlWithInput(MANIFEST, "apply", "--validate=false", "-f", "-");
        assertThat(apply.exit()).as(apply.err()).isZero();
        assertThat(apply.out()).contains("configmap/settings created", "deployment.apps/web created");

        Run again = kubectlWithInput(MANIFEST.replace("color: blue", "color: red"), "apply", "--validate=false", "-f", "-");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("configmap/settings configured", "deployment.apps/web unchanged");

        Run get = kubectl("get", "configmap", "settings", "-o", "jsonpath={.data.color}");
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(get.out()).isEqualTo("red");

        Run table = kubectl("get", "deploy");
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out()).startsWith("NAME").contains("web");

        Run scale = kubectl("scale", "deployment", "web", "--replicas=4");
        assertThat(scale.exit()).as(scale.err()).isZero();
        assertThat(kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").out()).isEqualTo("4");

        Run label = kubectl("label", "configmap", "settings", "tier=fe");
        assertThat(label.exit()).as(label.err()).isZero();
        Run selected = kubectl("get", "cm", "-l", "tier=fe", "-o", "name");
        assertThat(selected.out().strip()).isEqualTo("configmap/settings");

        Run missing = kubectl("get", "pod", "nope");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("pods \"nope\" not found");

        Run del = kubectlWithInput(MANIFEST, "delete", "-f", "-");
        assertThat(del.exit()).as(del.err()).isZero();
        assertThat(del.out()).contains("configmap \"settings\" deleted", "deployment.apps \"web\" deleted");
    }

    @Test
    void imperativeCommandsSendingProtobuf() throws Exception {
        Run run = kubectl("run", "nginx", "--image=nginx", "--labels=app=nginx");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("pod/nginx created");
        Run pod = kubectl("get", "pod", "nginx", "-o", "jsonpath={.spec.containers[0].image} {.status.phase}");
        assertThat(pod.out()).isEqualTo("nginx Pending");
        Run wide = kubectl("get", "pods", "-o", "wide");
        assertThat(wide.exit()).as(wide.err()).isZero();
        assertThat(wide.out()).contains("NODE", "nginx");

        Run dep = kubectl("create", "deployment", "api", "--image=nginx", "--replicas=3");
        assertThat(dep.exit()).as(dep.err()).isZero();
        assertThat(kubectl("get", "deployment", "api", "-o", "jsonpath={.spec.replicas}").out()).isEqualTo("3");

        Run svc = kubectl("create", "service", "clusterip", "api", "--tcp=80:8080");
        assertThat(svc.exit()).as(svc.err()).isZero();
        assertThat(kubectl("get", "svc", "api", "-o", "jsonpath={.spec.clusterIP}").out()).startsWith("10.43.");

        Run secret = kubectl("create", "secret", "generic", "s", "--from-literal=password=hunter2");
        assertThat(secret.exit()).as(secret.err()).isNotZero(); // secrets are not among the test resources

        Run patch = kubectl("patch", "pod", "nginx", "-p", "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
        assertThat(patch.exit()).as(patch.err()).isZero();
        Run jsonPatch = kubectl("patch", "pod", "nginx", "--type=json",
                "-p", "[{\"op\":\"add\",\"path\":\"/metadata/labels/z\",\"value\":\"w\"}]");
        assertThat(jsonPatch.exit()).as(jsonPatch.err()).isZero();
        assertThat(kubectl("get", "pod", "nginx", "--show-labels").out()).contains("x=y", "z=w");

        Run all = kubectl("get", "all");
        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(all.out()).contains("pod/nginx", "service/api", "deployment.apps/api");

        Run del = kubectl("delete", "pod", "nginx");
        assertThat(del.exit()).as(del.err()).isZero();
        assertThat(del.out()).contains("pod \"nginx\" deleted");
    }

    @Test
    void apiResourcesAndNamespaces() throws Exception {
        Run res = kubectl("api-resources");
        assertThat(res.exit()).as(res.err()).isZero();
        assertThat(res.out()).contains("pods", "po", "deployments", "deploy", "apps/v1", "namespaces");
        Run ns = kubectl("get", "ns");
        assertThat(ns.exit()).as(ns.err()).isZero();
        assertThat(ns.out()).contains("default", "kube-system", "kube-public", "kube-node-lease");
        Run create = kubectl("create", "namespace", "team");
        assertThat(create.exit()).as(create.err()).isZero();
        Run refused = kubectl("delete", "namespace", "default");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("forbidden: this namespace may not be deleted");
        Run delete = kubectl("delete", "namespace", "team", "--wait=true", "--timeout=30s");
        assertThat(delete.exit()).as(delete.err()).isZero();
    }

    @Test
    void getWatchPrintsEvents() throws Exception {
        kubectlWithInput(MANIFEST, "apply", "--validate=false", "-f", "-");
        List<String> cmd = List.of(KUBECTL.toString(), "--kubeconfig=" + dir.resolve("config"),
                "--cache-dir=" + dir.resolve("cache"), "get", "configmaps", "-w", "--request-timeout=0");
        Path out = dir.resolve("watch.out");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(dir.resolve("watch.err").toFile())
                .start();
        try {
            long deadline = System.currentTimeMillis() + 20_000;
            while (!Files.readString(out).contains("settings") && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            kubectl("create", "configmap", "watched", "--from-literal=a=b");
            while (!Files.readString(out).contains("watched") && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        String printed = Files.readString(out);
        assertThat(printed).as(Files.readString(dir.resolve("watch.err"))).startsWith("NAME").contains("settings", "watched");
        assertThat(printed.split("NAME", -1)).hasSize(2); // the header once
    }
}

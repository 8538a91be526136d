package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.apiserver.rest.RestApi;
import dev.navis.storage.mvcc.MvccStore;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kubectl (v1.32, /usr/bin/kubectl) against the OpenAPI handler and the REST API (in-memory store) serving
 * the built-in resources, over plain HTTP: {@code explain} must print upstream's field names, types and descriptions, {@code create} and
 * {@code apply} must see that the server supports server-side field validation, and a second {@code apply}
 * (a patch) must not trip over the OpenAPI documents.
 */
class KubectlOpenApiTest {

    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    private static MvccStore store;
    private static RestApi rest;
    private static Server server;
    private static RequestRecorder recorder;
    private static String url;

    @TempDir
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        store = MvccStore.inMemory();
        rest = new RestApi(store, BuiltinResources.all());
        rest.start();
        recorder = new RequestRecorder(
                new Handler.Sequence(new OpenApiService(BuiltinResources.all()).handler(), rest.handler()));
        server.setHandler(recorder);
        server.start();
        url = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        rest.stop();
        store.close();
    }

    private static String kubectl(String... args) throws IOException, InterruptedException {
        Path kubeconfig = home.resolve("kubeconfig");
        if (!Files.exists(kubeconfig)) {
            Files.writeString(kubeconfig, "apiVersion: v1\nkind: Config\n");
        }
        List<String> command = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", home.resolve("cache").toString(), "--server", url));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve("out.txt").toFile()).start();
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl finished").isTrue();
        } finally {
            process.destroyForcibly();
        }
        String output = Files.readString(home.resolve("out.txt"), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void explainPodSpecContainers() throws Exception {
        String out = kubectl("explain", "pod.spec.containers");
        assertThat(out).contains("KIND:       Pod", "VERSION:    v1", "FIELD: containers <[]Container>",
                "List of containers belonging to the pod.",
                "A single application container that you want to run within a pod.",
                "image\t<string>", "Container image name.",
                "name\t<string> -required-",
                "ports\t<[]ContainerPort>",
                "securityContext\t<SecurityContext>",
                "    SecurityContext defines the security options the container should be run\n    with.",
                "resources\t<ResourceRequirements>",
                "  imagePullPolicy\t<string>\n  enum: Always, IfNotPresent, Never\n",
                "    Possible enum values:\n     - `\"Always\"` means that kubelet always attempts to pull the latest image.");
    }

    @Test
    void explainDeployment() throws Exception {
        String out = kubectl("explain", "deployment");
        assertThat(out).contains("GROUP:      apps", "KIND:       Deployment", "VERSION:    v1",
                "Deployment enables declarative updates for Pods and ReplicaSets.",
                "metadata\t<ObjectMeta>", "Standard object's metadata.",
                "spec\t<DeploymentSpec>", "Specification of the desired behavior of the Deployment.",
                "status\t<DeploymentStatus>");
    }

    @Test
    void explainResolvesShortNamesAndOtherGroups() throws Exception {
        assertThat(kubectl("explain", "hpa.spec.metrics")).contains("GROUP:      autoscaling",
                "KIND:       HorizontalPodAutoscaler", "VERSION:    v2", "FIELD: metrics <[]MetricSpec>",
                "type\t<string> -required-");
        assertThat(kubectl("explain", "cronjob.spec.jobTemplate.spec.template.spec.restartPolicy"))
                .contains("GROUP:      batch", "FIELD: restartPolicy <string>", "ENUM:", "OnFailure");
        assertThat(kubectl("explain", "clusterrolebinding.subjects")).contains("FIELD: subjects <[]Subject>",
                "Subject contains a reference to the object or user identities a role binding\n");
    }

    @Test
    void explainPodsRecursive() throws Exception {
        String out = kubectl("explain", "pods", "--recursive");
        assertThat(out).contains("KIND:       Pod", "FIELDS:", "  spec\t<PodSpec>", "    containers\t<[]Container> -required-",
                "      image\t<string>", "      livenessProbe\t<Probe>", "        httpGet\t<HTTPGetAction>",
                "  status\t<PodStatus>");
    }

    private static Path configMap(String name) throws IOException {
        Path manifest = home.resolve(name + ".yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: %s
                  namespace: default
                data:
                  a: b
                """.formatted(name));
        return manifest;
    }

    @Test
    void createSendsStrictFieldValidation() throws Exception {
        String out = kubectl("create", "-f", configMap("created").toString());
        assertThat(out).contains("configmap/created created");
        assertThat(recorder.requests).anySatisfy(r -> assertThat(r)
                .startsWith("POST /api/v1/namespaces/default/configmaps?").contains("fieldValidation=Strict"));
    }

    @Test
    void applySendsStrictFieldValidation() throws Exception {
        Path manifest = configMap("applied");
        assertThat(kubectl("apply", "-f", manifest.toString())).contains("configmap/applied created");
        assertThat(recorder.requests).anySatisfy(r -> assertThat(r).startsWith("POST ")
                .contains("fieldManager=kubectl-client-side-apply").contains("fieldValidation=Strict"));
        Files.writeString(manifest, Files.readString(manifest).replace("a: b", "a: c"));
        assertThat(kubectl("apply", "-f", manifest.toString())).contains("configmap/applied configured");
        assertThat(recorder.requests).anySatisfy(r -> assertThat(r)
                .startsWith("PATCH /api/v1/namespaces/default/configmaps/applied?").contains("fieldValidation=Strict"));
        assertThat(kubectl("get", "configmap", "applied", "-n", "default", "-o", "jsonpath={.data.a}")).isEqualTo("c");
    }
}

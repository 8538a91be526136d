package dev.navis.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.ResourceStrategy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production assembly (durable MvccStore + RestApi) behind the plumbing, driven by real kubectl. */
class RealApiTest {
    private static final ResourceStrategy GENERIC = new ResourceStrategy() {
    };
    private static final List<ResourceDefinition> RESOURCES = List.of(
            new ResourceDefinition("", "v1", "Namespace", "namespaces", "namespace", false, List.of("ns"), List.of(),
                    Set.of("status", "finalize"), GENERIC),
            new ResourceDefinition("", "v1", "Service", "services", "service", true, List.of("svc"), List.of("all"),
                    Set.of("status"), GENERIC),
            new ResourceDefinition("", "v1", "ConfigMap", "configmaps", "configmap", true, List.of("cm"), List.of(),
                    Set.of(), GENERIC));

    @TempDir
    Path dataDir;

    @Test
    void kubectlReadsAndWritesThroughTheRestApiAndDataSurvivesRestart() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed");
        ApiServerOptions options = ApiServerOptions.defaults().withDataDir(dataDir).withPort(0);

        try (ApiServer server = ApiServer.create(options, RESOURCES)) {
            server.start();
            String kubeconfig = server.kubeconfigFile().toString();

            KubectlTest.Result namespaces = KubectlTest.run(dataDir, "--kubeconfig", kubeconfig, "get", "ns",
                    "-o", "name");
            assertThat(namespaces.exit()).as(namespaces.output()).isZero();
            assertThat(namespaces.output()).contains("namespace/default", "namespace/kube-system");

            // create -f sends JSON; `kubectl create configmap` would send protobuf, which Navis does not speak
            Path manifest = dataDir.resolve("settings.yaml");
            Files.writeString(manifest, """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: settings
                    data:
                      color: blue
                    """);
            KubectlTest.Result created = KubectlTest.run(dataDir, "--kubeconfig", kubeconfig, "create", "-f",
                    manifest.toString(), "--validate=false");
            assertThat(created.exit()).as(created.output()).isZero();
            assertThat(server.isReady()).isTrue();
        }

        try (ApiServer server = ApiServer.create(options, RESOURCES)) {
            server.start();
            KubectlTest.Result read = KubectlTest.run(dataDir, "--kubeconfig", server.kubeconfigFile().toString(),
                    "get", "configmap", "settings", "-o", "jsonpath={.data.color}");
            assertThat(read.exit()).as(read.output()).isZero();
            assertThat(read.output()).isEqualTo("blue");
        }
    }
}

package dev.navis.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production assembly (durable MvccStore, RestApi, OpenAPI, built-in resources) driven by real kubectl. */
class RealApiTest {
    @TempDir
    Path dataDir;

    @Test
    void kubectlReadsAndWritesThroughTheRestApiAndDataSurvivesRestart() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed");
        ApiServerOptions options = ApiServerOptions.defaults().withDataDir(dataDir).withPort(0);

        try (ApiServer server = ApiServer.create(options)) {
            server.start();
            String kubeconfig = server.kubeconfigFile().toString();

            KubectlTest.Result namespaces = KubectlTest.run(dataDir, "--kubeconfig", kubeconfig, "get", "ns",
                    "-o", "name");
            assertThat(namespaces.exit()).as(namespaces.output()).isZero();
            assertThat(namespaces.output()).contains("namespace/default", "namespace/kube-system");

            // create -f sends JSON (validated against /openapi/v3); `kubectl create configmap` would send
            // protobuf, which Navis does not speak
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
                    manifest.toString());
            assertThat(created.exit()).as(created.output()).isZero();
            assertThat(server.isReady()).isTrue();

            // upstream's apiserver_storage_objects: the configmap, and the namespaces that exist from the start
            KubectlTest.Result metrics = KubectlTest.run(dataDir, "--kubeconfig", kubeconfig, "get", "--raw", "/metrics");
            assertThat(metrics.exit()).as(metrics.output()).isZero();
            assertThat(metrics.output()).contains("apiserver_storage_objects{resource=\"configmaps\"} 1.0")
                    .contains("apiserver_storage_objects{resource=\"namespaces\"} 4.0");

            KubectlTest.Result resources = KubectlTest.run(dataDir, "--kubeconfig", kubeconfig, "api-resources");
            assertThat(resources.exit()).as(resources.output()).isZero();
            assertThat(resources.output()).contains("deployments", "apps/v1");
        }

        try (ApiServer server = ApiServer.create(options)) {
            server.start();
            KubectlTest.Result read = KubectlTest.run(dataDir, "--kubeconfig", server.kubeconfigFile().toString(),
                    "get", "configmap", "settings", "-o", "jsonpath={.data.color}");
            assertThat(read.exit()).as(read.output()).isZero();
            assertThat(read.output()).isEqualTo("blue");
        }
    }
}

package dev.navis.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.FileReader;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The same scenario through both official Java clients: fabric8 kubernetes-client and io.kubernetes client-java. */
@org.junit.jupiter.api.Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class JavaClientsTest {

    @Test
    void fabric8ClientCrudAndAnInformerThatSurvivesAServerRestart() throws Exception {
        try (NavisServer server = NavisServer.start()) {
            Config config = Config.fromKubeconfig(Files.readString(server.kubeconfig()));
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("f8").endMetadata().build()).create();
                Deployment d = client.apps().deployments().inNamespace("f8").resource(new DeploymentBuilder()
                        .withNewMetadata().withName("web").endMetadata()
                        .withNewSpec().withReplicas(2)
                        .withNewSelector().addToMatchLabels("app", "web").endSelector()
                        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                        .withNewSpec().addNewContainer().withName("web").withImage("busybox:1.36").endContainer().endSpec()
                        .endTemplate().endSpec().build()).create();
                assertThat(d.getMetadata().getUid()).isNotBlank();
                assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
                assertThat(client.apps().deployments().inNamespace("f8").withName("web").scale(4).getSpec().getReplicas()).isEqualTo(4);
                assertThat(client.apps().deployments().inNamespace("f8").withLabel("app").list().getItems()).isEmpty();

                Set<String> seen = ConcurrentHashMap.newKeySet();
                SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace("f8").inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(ConfigMap obj) {
                        seen.add(obj.getMetadata().getName());
                    }

                    @Override
                    public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
                        seen.add(newObj.getMetadata().getName());
                    }

                    @Override
                    public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
                        seen.remove(obj.getMetadata().getName());
                    }
                });
                try {
                    client.configMaps().inNamespace("f8").resource(new ConfigMapBuilder().withNewMetadata().withName("before")
                            .endMetadata().withData(Map.of("a", "b")).build()).create();
                    await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("before"));

                    server.stop();
                    server.launch();

                    client.configMaps().inNamespace("f8").resource(new ConfigMapBuilder().withNewMetadata().withName("after")
                            .endMetadata().withData(Map.of("a", "b")).build()).create();
                    await().atMost(Duration.ofSeconds(60)).until(() -> seen.contains("after"));
                    assertThat(informer.getStore().list()).extracting(c -> c.getMetadata().getName()).contains("before", "after");
                } finally {
                    informer.close();
                }

                ConfigMap stale = client.configMaps().inNamespace("f8").withName("before").get();
                client.configMaps().inNamespace("f8").withName("before").edit(c -> {
                    c.getData().put("x", "1");
                    return c;
                });
                stale.getData().put("y", "2");
                assertThatThrownBy(() -> client.configMaps().inNamespace("f8").resource(stale).update())
                        .isInstanceOf(KubernetesClientException.class)
                        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
                assertThat(client.configMaps().inNamespace("f8").withName("before").delete()).hasSize(1);
            }
        }
    }

    @Test
    void officialClientJavaCrud() throws Exception {
        try (NavisServer server = NavisServer.start()) {
            ApiClient api;
            try (FileReader reader = new FileReader(server.kubeconfig().toFile())) {
                api = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(reader)).build();
            }
            CoreV1Api core = new CoreV1Api(api);
            V1ConfigMap created = core.createNamespacedConfigMap("default",
                    new V1ConfigMap().metadata(new V1ObjectMeta().name("official")).data(Map.of("k", "v"))).execute();
            assertThat(created.getMetadata().getResourceVersion()).isNotBlank();
            assertThat(core.readNamespacedConfigMap("official", "default").execute().getData()).containsEntry("k", "v");
            assertThat(core.listNamespacedConfigMap("default").execute().getItems())
                    .extracting(c -> c.getMetadata().getName()).contains("official");
            assertThat(core.listNamespace().execute().getItems()).extracting(n -> n.getMetadata().getName())
                    .contains("default", "kube-system");
            assertThatThrownBy(() -> core.readNamespacedConfigMap("missing", "default").execute())
                    .isInstanceOf(ApiException.class).satisfies(e -> assertThat(((ApiException) e).getCode()).isEqualTo(404));
            assertThat(new AppsV1Api(api).listDeploymentForAllNamespaces().execute().getItems()).isEmpty();
            core.deleteNamespacedConfigMap("official", "default").execute();
            assertThatThrownBy(() -> core.readNamespacedConfigMap("official", "default").execute()).isInstanceOf(ApiException.class);
        }
    }
}

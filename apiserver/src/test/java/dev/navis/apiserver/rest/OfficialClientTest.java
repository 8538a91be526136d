package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ConfigMapList;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Scale;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.Watch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The official Kubernetes Java client (io.kubernetes:client-java) against the REST API. */
@Timeout(60)
class OfficialClientTest extends RestTestBase {
    private ApiClient client;
    private CoreV1Api core;

    @BeforeEach
    void client() {
        client = new ApiClient();
        client.setBasePath(base);
        client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(Duration.ZERO).build());
        core = new CoreV1Api(client);
    }

    private static V1ConfigMap configMap(String name) {
        return new V1ConfigMap().metadata(new V1ObjectMeta().name(name).labels(Map.of("app", "x")))
                .data(Map.of("k", "v"));
    }

    @Test
    void crud() throws Exception {
        V1ConfigMap created = core.createNamespacedConfigMap("default", configMap("a")).execute();
        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getMetadata().getCreationTimestamp()).isNotNull();

        V1ConfigMap read = core.readNamespacedConfigMap("a", "default").execute();
        read.setData(Map.of("k", "v2"));
        V1ConfigMap replaced = core.replaceNamespacedConfigMap("a", "default", read).execute();
        assertThat(replaced.getData()).containsEntry("k", "v2");

        V1ConfigMap patched = PatchUtils.patch(V1ConfigMap.class,
                () -> core.patchNamespacedConfigMap("a", "default", new V1Patch("{\"data\":{\"p\":\"q\"}}")).buildCall(null),
                V1Patch.PATCH_FORMAT_STRATEGIC_MERGE_PATCH, client);
        assertThat(patched.getData()).containsEntry("p", "q");

        V1ConfigMapList list = core.listNamespacedConfigMap("default").labelSelector("app=x").execute();
        assertThat(list.getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("a");

        assertThatThrownBy(() -> core.createNamespacedConfigMap("default", configMap("a")).execute())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(409));
        core.deleteNamespacedConfigMap("a", "default").execute();
        assertThatThrownBy(() -> core.readNamespacedConfigMap("a", "default").execute())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void scaleSubresource() throws Exception {
        AppsV1Api apps = new AppsV1Api(client);
        apps.createNamespacedDeployment("default", new V1Deployment().metadata(new V1ObjectMeta().name("d"))
                .spec(new V1DeploymentSpec().replicas(1).selector(new V1LabelSelector().matchLabels(Map.of("a", "b")))
                        .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(Map.of("a", "b")))
                                .spec(new V1PodSpec().containers(List.of(new V1Container().name("c").image("nginx")))))))
                .execute();
        V1Scale scale = apps.readNamespacedDeploymentScale("d", "default").execute();
        assertThat(scale.getSpec().getReplicas()).isEqualTo(1);
        assertThat(scale.getStatus().getSelector()).isEqualTo("a=b");
        scale.getSpec().setReplicas(3);
        apps.replaceNamespacedDeploymentScale("d", "default", scale).execute();
        assertThat(apps.readNamespacedDeployment("d", "default").execute().getSpec().getReplicas()).isEqualTo(3);
    }

    @Test
    void watch() throws Exception {
        String rv = core.listNamespacedConfigMap("default").execute().getMetadata().getResourceVersion();
        try (Watch<V1ConfigMap> watch = Watch.createWatch(client, core.listNamespacedConfigMap("default")
                .watch(true).resourceVersion(rv).timeoutSeconds(10).buildCall(null),
                new TypeToken<Watch.Response<V1ConfigMap>>() { }.getType())) {
            core.createNamespacedConfigMap("default", configMap("w")).execute();
            Watch.Response<V1ConfigMap> event = watch.next();
            assertThat(event.type).isEqualTo("ADDED");
            assertThat(event.object.getMetadata().getName()).isEqualTo("w");
        }
    }

    @Test
    void informer() throws Exception {
        core.createNamespacedConfigMap("default", configMap("before")).execute();
        SharedInformerFactory factory = new SharedInformerFactory(client);
        SharedIndexInformer<V1ConfigMap> informer = factory.sharedIndexInformerFor(
                params -> core.listNamespacedConfigMap("default").resourceVersion(params.resourceVersion)
                        .watch(params.watch).timeoutSeconds(params.timeoutSeconds).buildCall(null),
                V1ConfigMap.class, V1ConfigMapList.class);
        List<String> added = new CopyOnWriteArrayList<>();
        List<String> deleted = new CopyOnWriteArrayList<>();
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(V1ConfigMap obj) {
                added.add(obj.getMetadata().getName());
            }

            @Override
            public void onUpdate(V1ConfigMap oldObj, V1ConfigMap newObj) {
            }

            @Override
            public void onDelete(V1ConfigMap obj, boolean deletedFinalStateUnknown) {
                deleted.add(obj.getMetadata().getName());
            }
        });
        factory.startAllRegisteredInformers();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!informer.hasSynced() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            core.createNamespacedConfigMap("default", configMap("after")).execute();
            core.deleteNamespacedConfigMap("before", "default").execute();
            while ((added.size() < 2 || deleted.isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(added).contains("before", "after");
            assertThat(deleted).containsExactly("before");
        } finally {
            factory.stopAllRegisteredInformers();
        }
    }
}

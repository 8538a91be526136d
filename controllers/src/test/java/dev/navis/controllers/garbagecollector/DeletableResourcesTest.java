package dev.navis.controllers.garbagecollector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.ResourceRef;
import dev.navis.client.discovery.DiscoveryClient;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeletableResourcesTest {

    private static final List<String> ALL = List.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");

    @Test
    void keepsResourcesThatCanBeListedWatchedAndDeletedExceptEvents() {
        DiscoveryClient discovery = () -> List.of(
                list("v1", res("configmaps", "ConfigMap", true, ALL), res("pods/status", "Pod", true, ALL),
                        res("events", "Event", true, ALL), res("bindings", "Binding", true, List.of("create")),
                        res("nodes", "Node", false, ALL)),
                list("apps/v1", res("replicasets", "ReplicaSet", true, ALL)),
                list("events.k8s.io/v1", res("events", "Event", true, ALL)),
                list("example.com/v1", res("widgets", "Widget", true, ALL)));

        DeletableResources r = DeletableResources.discover(discovery);

        assertThat(r.all()).extracting(ResourceRef::groupResource)
                .containsExactly("configmaps", "nodes", "replicasets.apps", "widgets.example.com");
        assertThat(r.forKind("v1", "ConfigMap")).isEqualTo(ResourceRef.of(ConfigMap.class));
        assertThat(r.forKind("apps/v1", "ReplicaSet")).isEqualTo(ResourceRef.of(ReplicaSet.class));
        assertThat(r.forKind("apps/v1beta2", "ReplicaSet")).as("any version of the group").isNotNull();
        ResourceRef<?> widgets = r.forKind("example.com/v1", "Widget");
        assertThat(widgets.type()).isEqualTo(GenericKubernetesResource.class);
        assertThat(widgets.namespaced()).isTrue();
        assertThat(r.forKind("v1", "Event")).isNull();
        assertThat(r.forKind("example.com/v1", "Gadget")).isNull();
    }

    private static APIResourceList list(String gv, io.fabric8.kubernetes.api.model.APIResource... resources) {
        return new APIResourceListBuilder().withGroupVersion(gv).withResources(resources).build();
    }

    private static io.fabric8.kubernetes.api.model.APIResource res(String name, String kind, boolean namespaced,
                                                                   List<String> verbs) {
        return new APIResourceBuilder().withName(name).withKind(kind).withNamespaced(namespaced).withVerbs(verbs).build();
    }
}

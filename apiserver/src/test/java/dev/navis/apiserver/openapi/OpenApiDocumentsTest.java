package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class OpenApiDocumentsTest {

    private final OpenApiDocuments documents = new OpenApiService(TestResources.all()).documents();

    private static JsonNode parse(OpenApiDocuments.Rendered doc) {
        return JsonMapper.shared().readTree(doc.json());
    }

    @Test
    void v3RootListsEachGroupVersionWithTheHashOfItsDocument() throws Exception {
        JsonNode root = parse(documents.v3Root());
        assertThat(root.path("paths").propertyNames())
                .containsExactly("api/v1", "apis/apps/v1", "apis/example.navis.dev/v1alpha1",
                        "apis/rbac.authorization.k8s.io/v1");
        byte[] apps = documents.v3().get("apis/apps/v1").json();
        String sha512 = HexFormat.of().withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-512").digest(apps));
        assertThat(root.path("paths").path("apis/apps/v1").path("serverRelativeURL").asString())
                .isEqualTo("/openapi/v3/apis/apps/v1?hash=" + sha512);
    }

    @Test
    void everyPatchOperationOfAKindAdvertisesFieldValidation() {
        JsonNode doc = parse(documents.v3().get("api/v1"));
        List<String> patchPaths = new ArrayList<>();
        for (var path : doc.path("paths").properties()) {
            JsonNode patch = path.getValue().get("patch");
            if (patch == null) {
                continue;
            }
            patchPaths.add(path.getKey());
            List<String> params = new ArrayList<>();
            patch.path("parameters").forEach(p -> params.add(p.path("name").asString()));
            assertThat(params).as(path.getKey()).contains("fieldValidation", "dryRun", "fieldManager", "force");
            assertThat(patch.path("x-kubernetes-group-version-kind").path("version").asString()).isEqualTo("v1");
            assertThat(patch.path("requestBody").path("content").propertyNames())
                    .contains("application/merge-patch+json", "application/apply-patch+yaml");
        }
        assertThat(patchPaths).contains("/api/v1/namespaces/{namespace}/pods/{name}",
                "/api/v1/namespaces/{namespace}/pods/{name}/status", "/api/v1/namespaces/{name}");
    }

    @Test
    void v3PathsCarryUpstreamOperationIdsAndActions() {
        JsonNode paths = parse(documents.v3().get("apis/apps/v1")).path("paths");
        JsonNode collection = paths.path("/apis/apps/v1/namespaces/{namespace}/deployments");
        assertThat(collection.path("get").path("operationId").asString()).isEqualTo("listAppsV1NamespacedDeployment");
        assertThat(collection.path("get").path("x-kubernetes-action").asString()).isEqualTo("list");
        assertThat(collection.path("post").path("operationId").asString())
                .isEqualTo("createAppsV1NamespacedDeployment");
        assertThat(collection.path("delete").path("operationId").asString())
                .isEqualTo("deleteAppsV1CollectionNamespacedDeployment");
        assertThat(collection.path("get").path("tags").get(0).asString()).isEqualTo("apps_v1");
        assertThat(paths.path("/apis/apps/v1/deployments").path("get").path("operationId").asString())
                .isEqualTo("listAppsV1DeploymentForAllNamespaces");
        JsonNode scale = paths.path("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale").path("get");
        assertThat(scale.path("operationId").asString()).isEqualTo("readAppsV1NamespacedDeploymentScale");
        assertThat(scale.path("x-kubernetes-group-version-kind").path("kind").asString()).isEqualTo("Scale");
        assertThat(scale.path("responses").path("200").path("content").path("application/json").path("schema")
                .path("$ref").asString()).isEqualTo("#/components/schemas/io.k8s.api.autoscaling.v1.Scale");
        JsonNode rbac = parse(documents.v3().get("apis/rbac.authorization.k8s.io/v1")).path("paths");
        assertThat(rbac.path("/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}").path("get")
                .path("operationId").asString()).isEqualTo("readRbacAuthorizationV1ClusterRole");
    }

    @Test
    void v3SchemasHaveUpstreamNamesDescriptionsAndWrappedReferences() {
        JsonNode schemas = parse(documents.v3().get("api/v1")).path("components").path("schemas");
        JsonNode pod = schemas.path("io.k8s.api.core.v1.Pod");
        assertThat(pod.path("x-kubernetes-group-version-kind").get(0).path("kind").asString()).isEqualTo("Pod");
        assertThat(pod.path("properties").path("metadata").path("allOf").get(0).path("$ref").asString())
                .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        assertThat(pod.path("properties").path("metadata").path("description").asString())
                .startsWith("Standard object's metadata.");
        JsonNode containers = schemas.path("io.k8s.api.core.v1.PodSpec").path("properties").path("containers");
        assertThat(containers.path("type").asString()).isEqualTo("array");
        assertThat(containers.path("description").asString()).startsWith("List of containers belonging to the pod.");
        assertThat(containers.path("items").path("$ref").asString())
                .isEqualTo("#/components/schemas/io.k8s.api.core.v1.Container");
        JsonNode container = schemas.path("io.k8s.api.core.v1.Container");
        assertThat(container.path("required").toString()).contains("\"name\"");
        assertThat(container.path("properties").path("image").path("description").asString())
                .startsWith("Container image name.");
        assertThat(container.path("properties").path("securityContext").path("description").asString())
                .startsWith("SecurityContext defines the security options the container should be run with.");
        assertThat(schemas.path("io.k8s.api.core.v1.ContainerPort").path("properties").path("containerPort")
                .path("format").asString()).isEqualTo("int32");
        assertThat(schemas.has("io.k8s.api.apps.v1.Deployment")).isFalse();
    }

    @Test
    void kindsWithoutBuiltinSchemaGetAPermissiveOne() {
        JsonNode schemas = parse(documents.v3().get("apis/example.navis.dev/v1alpha1"))
                .path("components").path("schemas");
        JsonNode widget = schemas.path("dev.navis.example.v1alpha1.Widget");
        assertThat(widget.path("x-kubernetes-preserve-unknown-fields").asBoolean()).isTrue();
        assertThat(widget.path("x-kubernetes-group-version-kind").get(0).path("group").asString())
                .isEqualTo("example.navis.dev");
        assertThat(schemas.path("dev.navis.example.v1alpha1.WidgetList").path("properties").path("items")
                .path("items").path("$ref").asString())
                .isEqualTo("#/components/schemas/dev.navis.example.v1alpha1.Widget");
    }

    @Test
    void everyReferenceResolvesWithinItsDocument() {
        for (var entry : documents.v3().entrySet()) {
            JsonNode doc = parse(entry.getValue());
            assertThat(danglingRefs(doc, doc, "#/components/schemas/")).as(entry.getKey()).isEmpty();
        }
        JsonNode v2 = parse(documents.v2());
        assertThat(v2.path("swagger").asString()).isEqualTo("2.0");
        assertThat(v2.path("definitions").has("io.k8s.api.apps.v1.DeploymentSpec")).isTrue();
        assertThat(danglingRefs(v2, v2, "#/definitions/")).isEmpty();
    }

    @Test
    void v2OperationsDescribeBodiesAsParameters() {
        JsonNode v2 = parse(documents.v2());
        JsonNode patch = v2.path("paths").path("/api/v1/namespaces/{namespace}/pods/{name}").path("patch");
        assertThat(patch.path("consumes").toString()).contains("application/strategic-merge-patch+json");
        JsonNode body = patch.path("parameters").get(0);
        assertThat(body.path("in").asString()).isEqualTo("body");
        assertThat(body.path("schema").path("$ref").asString())
                .isEqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
        assertThat(patch.path("parameters").toString()).contains("\"fieldValidation\"");
        assertThat(v2.path("definitions").path("io.k8s.api.core.v1.Pod").path("properties").path("spec")
                .path("$ref").asString()).isEqualTo("#/definitions/io.k8s.api.core.v1.PodSpec");
    }

    private static List<String> danglingRefs(JsonNode node, JsonNode doc, String prefix) {
        List<String> out = new ArrayList<>();
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isString()) {
                String name = ref.asString().substring(prefix.length());
                JsonNode defs = prefix.startsWith("#/definitions") ? doc.path("definitions")
                        : doc.path("components").path("schemas");
                if (!ref.asString().startsWith(prefix) || !defs.has(name)) {
                    out.add(ref.asString());
                }
            }
            node.values().forEach(child -> out.addAll(danglingRefs(child, doc, prefix)));
        } else if (node.isArray()) {
            node.values().forEach(child -> out.addAll(danglingRefs(child, doc, prefix)));
        }
        return out;
    }
}

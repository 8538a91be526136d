package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.ResourceDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Every built-in kind with a schema can be served: its documents render and its schema is found by kind. */
class AllBuiltinKindsTest {

    static List<ResourceDefinition> everyBuiltinKind() {
        List<ResourceDefinition> out = new ArrayList<>();
        BuiltinSchemas.get().all().values().forEach(schema -> schema.path("x-kubernetes-group-version-kind")
                .forEach(gvk -> {
                    String kind = gvk.path("kind").asString();
                    if (!kind.endsWith("List")) {
                        out.add(new ResourceDefinition(gvk.path("group").asString(), gvk.path("version").asString(),
                                kind, kind.toLowerCase() + "s", kind.toLowerCase(), true, List.of(), List.of(),
                                Set.of("status", "scale"), TestResources.PLAIN));
                    }
                }));
        return out;
    }

    @Test
    void documentsOfEveryBuiltinKindRender() {
        List<ResourceDefinition> kinds = everyBuiltinKind();
        assertThat(kinds).hasSizeGreaterThan(80);
        OpenApiDocuments documents = new OpenApiService(kinds).documents();
        JsonNode root = JsonMapper.shared().readTree(documents.v3Root().json());
        assertThat(root.path("paths").size()).isEqualTo(documents.v3().size()).isGreaterThan(30);
        java.util.Map<String, JsonNode> parsed = new java.util.HashMap<>();
        for (ResourceDefinition r : kinds) {
            JsonNode doc = parsed.computeIfAbsent(ApiSurface.groupVersionPath(r.group(), r.version()),
                    gv -> JsonMapper.shared().readTree(documents.v3().get(gv).json()));
            boolean found = false;
            for (JsonNode schema : doc.path("components").path("schemas")) {
                for (JsonNode gvk : schema.path("x-kubernetes-group-version-kind")) {
                    found |= gvk.path("kind").asString().equals(r.kind())
                            && gvk.path("group").asString().equals(r.group());
                }
            }
            assertThat(found).as(r.apiVersion() + " " + r.kind()).isTrue();
        }
        assertThat(documents.v2().json().length).isGreaterThan(1_000_000);
    }
}

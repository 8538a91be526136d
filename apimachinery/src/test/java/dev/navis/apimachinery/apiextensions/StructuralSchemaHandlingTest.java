package dev.navis.apimachinery.apiextensions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Validation, pruning, defaulting and printer-column paths of custom resources. */
class StructuralSchemaHandlingTest {
    private static final JsonNode SCHEMA = json("""
            {"type":"object","properties":{
              "spec":{"type":"object","required":["size"],"properties":{
                "size":{"type":"integer","minimum":1,"exclusiveMaximum":true,"maximum":10},
                "ratio":{"type":"number","multipleOf":0.5},
                "when":{"type":"string","format":"date-time"},
                "labels":{"type":"object","additionalProperties":{"type":"string","maxLength":3}},
                "items":{"type":"array","minItems":1,"uniqueItems":true,"items":{"type":"object","properties":{
                  "name":{"type":"string","default":"x"},"free":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}},
                "opt":{"type":"string","nullable":true},
                "port":{"x-kubernetes-int-or-string":true},
                "nested":{"type":"object","default":{},"properties":{"level":{"type":"integer","default":3}}},
                "pod":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}}}
            """);

    private static JsonNode json(String s) {
        return Nodes.MAPPER.readTree(s);
    }

    private static List<String> errors(String object) {
        return SchemaValidator.validate(SCHEMA, json(object)).stream().map(FieldError::toString).toList();
    }

    @Test
    void validationWordsErrorsLikeUpstream() {
        assertThat(errors("{\"spec\":{\"size\":10}}")).containsExactly(
                "spec.size: Invalid value: 10: spec.size in body should be less than 10");
        assertThat(errors("{\"spec\":{\"size\":2,\"ratio\":0.7}}")).containsExactly(
                "spec.ratio: Invalid value: 0.7: spec.ratio in body should be a multiple of 0.5");
        assertThat(errors("{\"spec\":{\"size\":2,\"when\":\"tomorrow\"}}")).containsExactly(
                "spec.when: Invalid value: \"tomorrow\": spec.when in body must be of type date-time: \"tomorrow\"");
        assertThat(errors("{\"spec\":{\"size\":2,\"labels\":{\"a\":\"long\"}}}")).containsExactly(
                "spec.labels[a]: Too long: may not be more than 3 bytes");
        assertThat(errors("{\"spec\":{\"size\":2,\"items\":[]}}")).containsExactly(
                "spec.items: Invalid value: \"[]\": spec.items in body should have at least 1 items");
        assertThat(errors("{\"spec\":{\"size\":2,\"items\":[{\"name\":\"a\"},{\"name\":\"a\"}]}}")).containsExactly(
                "spec.items[1]: Duplicate value: \"{\"name\":\"a\"}\"");
        assertThat(errors("{\"spec\":{\"size\":2,\"opt\":null,\"port\":80}}")).isEmpty();
        assertThat(errors("{\"spec\":{\"size\":2,\"port\":\"http\"}}")).isEmpty();
        assertThat(errors("{\"spec\":{\"size\":2,\"port\":1.5}}")).hasSize(1);
        assertThat(errors("{\"spec\":null}")).containsExactly(
                "spec: Invalid value: \"null\": spec in body must be of type object: \"null\"");
        assertThat(errors("{\"spec\":{\"size\":2,\"pod\":{\"spec\":{}}}}")).containsExactly(
                "spec.pod.apiVersion: Required value: must not be empty", "spec.pod.kind: Required value: must not be empty");
    }

    @Test
    void pruningKeepsWhatTheSchemaSpecifiesOrPreserves() {
        ObjectNode o = (ObjectNode) json("""
                {"apiVersion":"example.com/v1","kind":"W","metadata":{"name":"w","x":1},"top":1,
                 "spec":{"size":1,"bogus":2,"items":[{"name":"a","extra":1,"free":{"any":{"thing":1}}}],
                 "labels":{"k":"v"},"pod":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"c":1}}}}
                """);
        assertThat(SchemaPruning.prune(SCHEMA, o)).containsExactly("top", "spec.bogus", "spec.items[0].extra");
        assertThat(o.path("spec").path("items").get(0).path("free").path("any").path("thing").asInt()).isEqualTo(1);
        assertThat(o.path("spec").path("pod").path("spec").path("c").asInt()).isEqualTo(1);
        assertThat(o.path("metadata").path("x").asInt()).isEqualTo(1); // metadata is ObjectMeta's business
    }

    @Test
    void defaultsApplyFromTheRootDown() {
        ObjectNode o = (ObjectNode) json("{\"spec\":{\"size\":1,\"items\":[{}]}}");
        SchemaDefaulting.apply(SCHEMA, o);
        assertThat(o.path("spec").path("nested").path("level").asInt()).isEqualTo(3);
        assertThat(o.path("spec").path("items").get(0).path("name").asString()).isEqualTo("x");
    }

    @Test
    void columnPathsFollowFieldsIndexesAndFilters() {
        JsonNode o = json("{\"status\":{\"conditions\":[{\"type\":\"A\",\"status\":\"False\"},"
                + "{\"type\":\"Ready\",\"status\":\"True\"}]},\"spec\":{\"list\":[{\"n\":1},{\"n\":2}]}}");
        assertThat(ColumnPath.parse(".status.conditions[?(@.type==\"Ready\")].status").first(o).asString()).isEqualTo("True");
        assertThat(ColumnPath.parse(".spec.list[1].n").first(o).asInt()).isEqualTo(2);
        assertThat(ColumnPath.parse(".spec.list[*].n").first(o).asInt()).isEqualTo(1);
        assertThat(ColumnPath.parse(".spec.missing").first(o)).isNull();
    }

    @Test
    void structuralRulesOfCrdSchemas() {
        List<String> errs = StructuralSchema.check(json("{\"type\":\"object\",\"properties\":{\"a\":{},"
                + "\"b\":{\"type\":\"array\"},\"c\":{\"type\":\"string\",\"pattern\":\"[\"}}}"), "s").stream()
                .map(FieldError::toString).toList();
        assertThat(errs).contains("s.properties[a].type: Required value: must not be empty for specified object fields",
                "s.properties[b].items: Required value: must be specified");
        assertThat(errs).anyMatch(e -> e.startsWith("s.properties[c].pattern: Invalid value: \"[\""));
        assertThat(StructuralSchema.check(json("{\"properties\":{}}"), "s").get(0).toString())
                .isEqualTo("s.type: Required value: must not be empty at the root");
    }
}

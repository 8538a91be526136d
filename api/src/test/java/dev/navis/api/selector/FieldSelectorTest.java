package dev.navis.api.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.api.ResourceStrategy;
import dev.navis.api.json.Nodes;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class FieldSelectorTest {

    private static final ResourceStrategy PODS = new ResourceStrategy() {
        @Override
        public Map<String, Function<JsonNode, String>> selectableFields() {
            return Map.of("spec.nodeName", o -> Nodes.text(o, "spec", "nodeName"),
                    "status.phase", o -> Nodes.text(o, "status", "phase"));
        }
    };
    private static final ResourceStrategy PLAIN = new ResourceStrategy() {
    };

    private static final JsonNode POD = Nodes.parse("""
            {"metadata":{"name":"web-1","namespace":"default"},"spec":{"nodeName":"n1"},"status":{"phase":"Running"}}""");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "metadata.name=web-1                       | true",
        "metadata.name==web-1                      | true",
        "metadata.name!=web-1                      | false",
        "'metadata.name=web-1,spec.nodeName=n1'    | true",
        "'metadata.name=web-1,spec.nodeName=n2'    | false",
        "spec.nodeName=                            | false",
        "spec.nodeName!=                           | true",
        "'status.phase!=Pending,status.phase!=Failed' | true",
        "metadata.namespace=default                | true",
    })
    void matches(String selector, boolean expected) {
        FieldSelector s = FieldSelector.parse(selector);
        s.validate(PODS);
        assertThat(s.matches(POD, PODS)).isEqualTo(expected);
    }

    @Test
    void rejectsUnsupportedFieldsWithUpstreamMessages() {
        assertThatThrownBy(() -> FieldSelector.parse("foo=bar").validate(PODS))
                .isInstanceOf(SelectorException.class).hasMessage("field label not supported: foo");
        assertThatThrownBy(() -> FieldSelector.parse("spec.x=bar").validate(PLAIN))
                .hasMessage("\"spec.x\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
    }

    @Test
    void rejectsBadSyntax() {
        assertThatThrownBy(() -> FieldSelector.parse("abc")).hasMessage("invalid selector: 'abc'; can't understand 'abc'");
        assertThatThrownBy(() -> FieldSelector.parse("a=b\\x")).hasMessage("invalid field selector: invalid escape sequence: \\x");
    }

    @Test
    void unescapesValuesAndExposesRequiredValues() {
        FieldSelector s = FieldSelector.parse("metadata.name=a\\,b");
        assertThat(s.requiredValue("metadata.name")).isEqualTo("a,b");
        assertThat(s.toString()).isEqualTo("metadata.name=a\\,b");
        assertThat(FieldSelector.parse("").isEmpty()).isTrue();
    }
}

package dev.navis.api.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.api.json.Nodes;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {

    private static Map<String, String> labels(String spec) {
        Map<String, String> m = new HashMap<>();
        if (!spec.isEmpty()) {
            for (String kv : spec.split(";")) {
                String[] p = kv.split(":", 2);
                m.put(p[0], p.length > 1 ? p[1] : "");
            }
        }
        return m;
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "app=web            | app:web;tier:fe   | true",
        "app=web            | app:db            | false",
        "app==web           | app:web           | true",
        "app!=web           | app:db            | true",
        "app!=web           | tier:x            | true",
        "app!=web           | app:web           | false",
        "app in (a,b)       | app:b             | true",
        "app in (a,b)       | app:c             | false",
        "app notin (a,b)    | app:c             | true",
        "app notin (a,b)    | ''                | true",
        "app                | app:x             | true",
        "app                | tier:x            | false",
        "!app               | tier:x            | true",
        "!app               | app:x             | false",
        "'app=web,tier!=db'   | app:web;tier:fe   | true",
        "'app=web,tier!=db'   | app:web;tier:db   | false",
        "'app in (web), !legacy' | app:web       | true",
        "replicas>2         | replicas:3        | true",
        "replicas<2         | replicas:3        | false",
        "app=              | app:''             | true",
        "''                 | app:x             | true",
        "example.com/role=x | example.com/role:x | true",
        "'env in (prod, in)' | env:in           | true",
    })
    void matches(String selector, String labelSpec, boolean expected) {
        assertThat(LabelSelector.parse(selector).matches(labels(labelSpec.replace("''", "")))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "tier=fe,app=web       | app=web,tier=fe",
        "app in (b, a, b)      | app in (a,b)",
        "'!a,b'                | '!a,b'",
        "x notin (z)           | x notin (z)",
        "k==v                  | k==v",
    })
    void printsCanonically(String selector, String expected) {
        assertThat(LabelSelector.parse(selector).toString()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "app=a b      | found 'b', expected: ',' or 'end of string'",
        "app in a     | unable to parse requirement: found 'a' expected: '('",
        "app in (a    | unable to parse requirement: found '', expected: ',' or ')'",
        "'app,'       | found '', expected: identifier after ','",
        "=x           | found '=', expected: !, identifier, or 'end of string'",
        "app x        | unable to parse requirement: found 'x', expected: in, notin, =, ==, !=, gt, lt",
        "a b=c        | unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
        "x>a          | unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer",
    })
    void rejectsBadSyntax(String selector, String message) {
        assertThatThrownBy(() -> LabelSelector.parse(selector)).isInstanceOf(SelectorException.class)
                .hasMessage(message);
    }

    @Test
    void rejectsBadKeyWithUpstreamMessage() {
        assertThatThrownBy(() -> LabelSelector.parse("-bad=x")).hasMessageStartingWith(
                "unable to parse requirement: key: Invalid value: \"-bad\": name part must consist of alphanumeric characters");
    }

    @Test
    void rejectsBadValue() {
        assertThatThrownBy(() -> LabelSelector.parse("app=-x")).hasMessageStartingWith(
                "unable to parse requirement: values[0][app]: Invalid value: \"-x\": a valid label must be an empty string");
    }

    @Test
    void buildsFromLabelSelectorObject() {
        LabelSelector s = LabelSelector.fromObject(Nodes.parse("""
                {"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["fe","be"]},
                 {"key":"legacy","operator":"DoesNotExist"}]}"""));
        assertThat(s.toString()).isEqualTo("app=web,!legacy,tier in (be,fe)".replace("app=web,!legacy", "app=web,!legacy"));
        assertThat(s.matches(Map.of("app", "web", "tier", "fe"))).isTrue();
        assertThat(s.matches(Map.of("app", "web", "tier", "fe", "legacy", "1"))).isFalse();
        assertThat(LabelSelector.fromObject(Nodes.parse("{}")).matches(Map.of())).isTrue();
        assertThat(LabelSelector.fromObject(null).matches(Map.of())).isFalse();
        assertThatThrownBy(() -> LabelSelector.fromObject(Nodes.parse(
                "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Foo\"}]}")))
                .hasMessage("\"Foo\" is not a valid label selector operator");
    }

    @Test
    void formatsSelectorsLikeKubectl() {
        assertThat(LabelSelector.format(Nodes.parse("{\"matchLabels\":{\"b\":\"2\",\"a\":\"1\"}}"))).isEqualTo("a=1,b=2");
        assertThat(LabelSelector.format(Nodes.parse("{}"))).isEqualTo("<none>");
        assertThat(LabelSelector.formatLabels(Map.of())).isEqualTo("<none>");
    }
}

package dev.navis.api.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.api.json.Nodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonAndMergePatchTest {

    private static final String DOC = "{\"metadata\":{\"labels\":{\"a\":\"1\"}},\"spec\":{\"list\":[1,2]}}";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "[{\"op\":\"add\",\"path\":\"/metadata/labels/b\",\"value\":\"2\"}]   | /metadata/labels/b | \"2\"",
        "[{\"op\":\"replace\",\"path\":\"/spec/list/0\",\"value\":9}]        | /spec/list         | [9,2]",
        "[{\"op\":\"remove\",\"path\":\"/spec/list/1\"}]                     | /spec/list         | [1]",
        "[{\"op\":\"add\",\"path\":\"/spec/list/-\",\"value\":3}]            | /spec/list         | [1,2,3]",
        "[{\"op\":\"test\",\"path\":\"/metadata/labels/a\",\"value\":\"1\"},{\"op\":\"copy\",\"from\":\"/metadata/labels/a\",\"path\":\"/spec/c\"}] | /spec/c | \"1\"",
    })
    void appliesJsonPatch(String patch, String pointer, String expected) {
        var out = JsonPatch.apply(Nodes.parse(DOC), Nodes.MAPPER.readTree(patch));
        assertThat(out.at(pointer)).isEqualTo(Nodes.MAPPER.readTree(expected));
    }

    @Test
    void jsonPatchErrors() {
        assertThatThrownBy(() -> JsonPatch.apply(Nodes.parse(DOC), Nodes.MAPPER.readTree(
                "[{\"op\":\"test\",\"path\":\"/metadata/labels/a\",\"value\":\"2\"}]")))
                .isInstanceOf(PatchException.class).hasMessage("testing value /metadata/labels/a failed: test failed")
                .extracting(e -> ((PatchException) e).code()).isEqualTo(422);
        assertThatThrownBy(() -> JsonPatch.apply(Nodes.parse(DOC), Nodes.MAPPER.readTree(
                "[{\"op\":\"replace\",\"path\":\"/spec/missing\",\"value\":1}]")))
                .hasMessage("replace operation does not apply: doc is missing key: /spec/missing: missing value");
        assertThatThrownBy(() -> JsonPatch.apply(Nodes.parse(DOC), Nodes.MAPPER.readTree(
                "[{\"op\":\"remove\",\"path\":\"/nope/x\"}]")))
                .hasMessageStartingWith("remove operation does not apply");
        assertThatThrownBy(() -> JsonPatch.apply(Nodes.parse(DOC), Nodes.parse("{}")))
                .hasMessage("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
                .extracting(e -> ((PatchException) e).code()).isEqualTo(400);
        assertThatThrownBy(() -> JsonPatch.apply(Nodes.parse(DOC), Nodes.MAPPER.readTree("[{\"op\":\"jump\",\"path\":\"/\"}]")))
                .hasMessage("Unexpected kind: jump");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"metadata\":{\"labels\":{\"a\":null,\"b\":\"2\"}}} | {\"metadata\":{\"labels\":{\"b\":\"2\"}},\"spec\":{\"list\":[1,2]}}",
        "{\"spec\":{\"list\":[3]}}                          | {\"metadata\":{\"labels\":{\"a\":\"1\"}},\"spec\":{\"list\":[3]}}",
        "{\"spec\":null}                                    | {\"metadata\":{\"labels\":{\"a\":\"1\"}}}",
        "{\"spec\":{\"x\":{\"y\":null,\"z\":1}}}            | {\"metadata\":{\"labels\":{\"a\":\"1\"}},\"spec\":{\"list\":[1,2],\"x\":{\"z\":1}}}",
    })
    void appliesMergePatch(String patch, String expected) {
        assertThat(MergePatch.apply(Nodes.parse(DOC), Nodes.MAPPER.readTree(patch)))
                .isEqualTo(Nodes.MAPPER.readTree(expected));
    }
}

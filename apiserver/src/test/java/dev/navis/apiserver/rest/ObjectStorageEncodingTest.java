package dev.navis.apiserver.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The one-pass encoding of a create: stored bytes as encode() writes them, served bytes as a GET of the stored object encodes. */
class ObjectStorageEncodingTest {
    private static ObjectNode parse(String json) {
        return Json.parseBody(json.getBytes(StandardCharsets.UTF_8), false);
    }

    /** What a GET serves for the stored bytes: decoded, resourceVersion set, apiVersion and kind first. */
    private static byte[] servedFromStore(byte[] stored, String apiVersion, String kind, String rv) {
        ObjectNode o = Json.parseStored(stored);
        Json.meta(o).put("resourceVersion", rv);
        ObjectNode out = Json.object();
        out.put("apiVersion", apiVersion);
        out.put("kind", kind);
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            if (!e.getKey().equals("apiVersion") && !e.getKey().equals("kind")) {
                out.set(e.getKey(), e.getValue());
            }
        }
        return Json.bytes(out);
    }

    private static void check(String json, String apiVersion, String kind) {
        ObjectNode a = parse(json);
        ObjectNode b = parse(json);
        ObjectStorage.Encoding enc = ObjectStorage.encodeOnce(a);
        assertArrayEquals(ObjectStorage.encode(b), enc.stored(), "stored bytes");
        assertEquals(new String(servedFromStore(enc.stored(), apiVersion, kind, "42"), StandardCharsets.UTF_8),
                new String(enc.served(apiVersion, kind, "42"), StandardCharsets.UTF_8));
    }

    @Test
    void servedBytesAreWhatAGetOfTheStoredObjectEncodes() {
        check("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"d\",\"labels\":{}},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"args\":[\"é\\\"\\n\"]}]},\"status\":{\"phase\":\"Pending\"}}",
                "v1", "Pod");
        // kind before apiVersion, metadata last, fields between
        check("{\"kind\":\"ConfigMap\",\"data\":{\"a\":\"1\"},\"apiVersion\":\"v1\",\"n\":1.5,\"z\":null,\"metadata\":{\"name\":\"c\"}}",
                "v1", "ConfigMap");
        // commas, braces, brackets, quotes and a trailing backslash inside strings and keys
        check("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"labels\":{\"a,}\":\"]{\\\\\"}},"
                + "\"data\":{\"k\\\\\":\"v,\\\\\",\"[\":\"}\"},\"binaryData\":{}}", "v1", "ConfigMap");
        // empty metadata
        check("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{}}", "apps/v1", "Deployment");
    }

    @Test
    void noServedBytesWhenTheObjectDoesNotCarryTheServedTypeMeta() {
        assertNull(ObjectStorage.encodeOnce(parse("{\"apiVersion\":\"v1beta1\",\"kind\":\"Pod\",\"metadata\":{}}"))
                .served("v1", "Pod", "1"));
        assertNull(ObjectStorage.encodeOnce(parse("{\"kind\":\"Pod\",\"metadata\":{}}")).served("v1", "Pod", "1"));
        assertNull(ObjectStorage.encodeOnce(parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}")).served("v1", "Pod", "1"));
        // a resourceVersion to strip: stored as encode() stores it, nothing served
        ObjectNode withRv = parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"3\"}}");
        ObjectStorage.Encoding enc = ObjectStorage.encodeOnce(withRv);
        assertEquals("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{}}", new String(enc.stored(), StandardCharsets.UTF_8));
        assertNull(enc.served("v1", "Pod", "4"));
    }
}

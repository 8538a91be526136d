package dev.navis.apiserver.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.navis.storage.KeyValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The writer's tree handed to the watch cache: the very tree decoding its bytes gives, or nothing. */
class WriteHandoffTest {
    private static KeyValue kv(String key, byte[] value) {
        return new KeyValue(key, value, 7, 7, 1, 0);
    }

    private static ObjectNode pod() {
        return Json.parseBody(("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}").getBytes(StandardCharsets.UTF_8), false);
    }

    @Test
    void aCopyWithTheNodeTypesParsingGives() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = pod();
        ObjectNode spec = (ObjectNode) o.get("spec");
        spec.put("long", 30L); // parsing "30" gives an IntNode
        spec.put("short", (short) 3);
        spec.put("big", 1L << 40);
        spec.set("bigInt", f.numberNode(BigInteger.valueOf(5)));
        spec.set("decimal", f.numberNode(new BigDecimal("1.10")));
        spec.put("float", 0.5f);
        spec.put("double", 2.5);
        spec.putNull("nothing");
        spec.put("yes", true);
        ObjectNode copy = (ObjectNode) Json.asParsed(o);
        assertNotSame(o, copy);
        assertNotSame(o.get("spec"), copy.get("spec"));
        ObjectNode parsed = Json.parseStored(Json.bytes(o));
        assertEquals(parsed, copy);
        assertEquals(new String(Json.bytes(parsed), StandardCharsets.UTF_8),
                new String(Json.bytes(copy), StandardCharsets.UTF_8));
    }

    @Test
    void nothingForValuesWhoseEncodingDoesNotReadBack() {
        ObjectNode o = pod();
        o.put("nan", Double.NaN);
        assertNull(Json.asParsed(o));
        ObjectNode b = pod();
        b.put("bytes", new byte[] {1, 2});
        assertNull(Json.asParsed(b));
    }

    @Test
    void theCacheTakesTheOfferOfTheStoredBytesOnce() {
        WriteHandoff h = new WriteHandoff(8);
        ObjectNode o = pod();
        byte[] stored = Json.bytes(o);
        h.offer("/k", stored, o, false);
        ObjectNode taken = h.take(kv("/k", stored.clone()));
        assertEquals(o, taken);
        assertNotSame(o, taken);
        assertNull(h.take(kv("/k", stored)), "taken once");
    }

    @Test
    void otherBytesAtTheKeyAreDecoded() {
        WriteHandoff h = new WriteHandoff(8);
        ObjectNode o = pod();
        h.offer("/k", Json.bytes(o), o, false);
        assertNull(h.take(kv("/k", "{}".getBytes(StandardCharsets.UTF_8))));
        assertEquals(0, h.size());
    }

    @Test
    void aFailedWriteWithdrawsItsOfferOnly() {
        WriteHandoff h = new WriteHandoff(8);
        ObjectNode o = pod();
        byte[] stored = Json.bytes(o);
        Object first = h.offer("/k", stored, o, false);
        Object second = h.offer("/k", stored, o, false);
        h.withdraw("/k", first);
        assertEquals(1, h.size());
        h.withdraw("/k", second);
        assertEquals(0, h.size());
    }

    @Test
    void boundedOffersStartOverWhenFull() {
        WriteHandoff h = new WriteHandoff(4);
        ObjectNode o = pod();
        byte[] stored = Json.bytes(o);
        for (int i = 0; i < 100; i++) {
            h.offer("/k" + i, stored, o, false);
        }
        assertEquals(true, h.size() <= 4);
        ObjectNode last = h.take(kv("/k99", stored));
        assertEquals(o, last);
        assertSame(null, h.take(kv("/k0", stored)));
    }

    @Test
    void aTreeHandedOverIsKeptItselfWhenItsNodesAreThoseOfADecode() {
        WriteHandoff h = new WriteHandoff(8);
        ObjectNode o = pod();
        assertEquals(true, Json.isParsedForm(o));
        byte[] stored = Json.bytes(o);
        h.offer("/k", stored, o, true);
        assertSame(o, h.take(kv("/k", stored)));

        ObjectNode withLong = pod();
        withLong.put("long", 30L); // a decode gives an IntNode: the cache gets a copy with one
        assertEquals(false, Json.isParsedForm(withLong));
        byte[] storedLong = Json.bytes(withLong);
        h.offer("/l", storedLong, withLong, true);
        ObjectNode taken = h.take(kv("/l", storedLong));
        assertNotSame(withLong, taken);
        assertEquals(Json.parseStored(storedLong), taken);
    }
}

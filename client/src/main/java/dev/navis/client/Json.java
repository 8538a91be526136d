package dev.navis.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.module.blackbird.BlackbirdModule;

/** The client's one JSON mapper (fabric8 model classes, Kubernetes wire conventions) and copy helpers. */
public final class Json {

    /**
     * Ignores unknown fields (newer servers add fields) and leaves nulls out, as the API server does.
     * Blackbird binds the fabric8 models' getters, setters and constructors as generated lambdas: databind's
     * own non-constant method-handle calls were a measurable share of every pod decode and encode (the
     * scheduler's informer, its bindings, any client creating objects).
     */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .addModule(new BlackbirdModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .changeDefaultPropertyInclusion(incl -> incl.withValueInclusion(JsonInclude.Include.NON_NULL)
                    .withContentInclusion(JsonInclude.Include.NON_NULL))
            .build();

    /** Reads one field's value from inside an object: the tokens after it are not its business. */
    private static final ObjectReader METADATA = MAPPER.readerFor(ObjectMeta.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Json() {
    }

    public static byte[] write(Object value) {
        return MAPPER.writeValueAsBytes(value);
    }

    public static String writeString(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    public static <T> T read(byte[] json, Class<T> type) {
        return MAPPER.readValue(json, type);
    }

    public static <T> T read(String json, Class<T> type) {
        return MAPPER.readValue(json, type);
    }

    /**
     * The {@code metadata} of the object in {@code json}, every other top-level field skipped as tokens (no
     * model objects are built for the spec or status); null when there is none.
     */
    public static ObjectMeta readMetadata(byte[] json) {
        try (JsonParser p = MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                if ("metadata".equals(field)) {
                    return METADATA.readValue(p);
                }
                p.skipChildren();
            }
            return null;
        }
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static <T> T convert(JsonNode node, Class<T> type) {
        return MAPPER.treeToValue(node, type);
    }

    /**
     * A deep copy through JSON tokens (a token buffer: no text is written or parsed, which halves the cost of
     * a bytes round trip). Objects handed out by informer caches and listers are shared and must not be
     * mutated: copy them with this before changing anything.
     */
    @SuppressWarnings("unchecked")
    public static <T> T deepCopy(T value) {
        if (value == null) {
            return null;
        }
        return (T) MAPPER.convertValue(value, value.getClass());
    }
}

package dev.navis.apiserver.rest;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Which representation the client asked for in its Accept header: plain JSON (also the answer to
 * protobuf, which Navis does not speak), YAML, a meta.k8s.io Table, or PartialObjectMetadata.
 */
public record Negotiation(Output output, String contentType) {

    public enum Output { JSON, YAML, TABLE, PARTIAL_METADATA, DISCOVERY_V2, DISCOVERY_V2BETA1 }

    public static final String JSON = "application/json";
    public static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
    public static final String DISCOVERY_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    public static final String DISCOVERY_V2BETA1 =
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

    /**
     * The first acceptable entry of {@code accept}. {@code discovery} allows the aggregated discovery
     * types (only /api and /apis serve them).
     */
    public static Negotiation of(String accept, boolean discovery) {
        if (accept == null) {
            return parse(null, discovery);
        }
        Map<String, Negotiation> memo = discovery ? DISCOVERY_ANSWERS : RESOURCE_ANSWERS;
        Negotiation known = memo.get(accept);
        if (known != null) {
            return known;
        }
        Negotiation parsed = parse(accept, discovery);
        if (memo.size() < REMEMBERED) {
            memo.put(accept, parsed);
        }
        return parsed;
    }

    /**
     * Clients send the same few Accept headers again and again: the answers to the first {@link #REMEMBERED} of
     * each kind are kept (parsing split the header and its parameters for every request).
     */
    private static final int REMEMBERED = 64;
    private static final Map<String, Negotiation> RESOURCE_ANSWERS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<String, Negotiation> DISCOVERY_ANSWERS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Negotiation parse(String accept, boolean discovery) {
        if (accept == null || accept.isBlank()) {
            return new Negotiation(Output.JSON, JSON);
        }
        boolean protobufOnly = false;
        for (String entry : accept.split(",")) {
            String[] parts = entry.split(";");
            String type = parts[0].strip().toLowerCase(Locale.ROOT);
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv.length == 2) {
                    params.put(kv[0].strip(), kv[1].strip());
                }
            }
            String as = params.getOrDefault("as", "");
            String g = params.getOrDefault("g", "");
            String v = params.getOrDefault("v", "");
            boolean jsonLike = type.equals("application/json") || type.equals("*/*") || type.equals("application/*");
            if (type.equals("application/vnd.kubernetes.protobuf")) {
                protobufOnly = true;
                continue;
            }
            if (as.isEmpty()) {
                if (jsonLike) {
                    return new Negotiation(Output.JSON, JSON);
                }
                if (type.equals("application/yaml")) {
                    return new Negotiation(Output.YAML, "application/yaml");
                }
                continue;
            }
            if (!type.equals("application/json")) {
                continue;
            }
            if (as.equals("Table") && g.equals("meta.k8s.io") && (v.equals("v1") || v.equals("v1beta1"))) {
                return new Negotiation(Output.TABLE, TABLE.replace("v=v1", "v=" + v));
            }
            if ((as.equals("PartialObjectMetadata") || as.equals("PartialObjectMetadataList"))
                    && g.equals("meta.k8s.io") && (v.equals("v1") || v.equals("v1beta1"))) {
                return new Negotiation(Output.PARTIAL_METADATA,
                        "application/json;as=" + as + ";v=" + v + ";g=meta.k8s.io");
            }
            if (discovery && as.equals("APIGroupDiscoveryList") && g.equals("apidiscovery.k8s.io")) {
                if (v.equals("v2")) {
                    return new Negotiation(Output.DISCOVERY_V2, DISCOVERY_V2);
                }
                if (v.equals("v2beta1")) {
                    return new Negotiation(Output.DISCOVERY_V2BETA1, DISCOVERY_V2BETA1);
                }
            }
        }
        if (protobufOnly) {
            // Navis speaks no protobuf: clients (kubectl, client-go) fall back to JSON by the Content-Type.
            return new Negotiation(Output.JSON, JSON);
        }
        throw ApiException.notAcceptable();
    }
}

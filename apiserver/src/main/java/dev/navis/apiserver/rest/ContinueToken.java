package dev.navis.apiserver.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The opaque continue token of a paged list: base64 of {"v":"meta.k8s.io/v1","rv":R,"start":key-suffix}. */
public record ContinueToken(long revision, String start) {

    public String encode() {
        ObjectNode n = Json.object();
        n.put("v", "meta.k8s.io/v1");
        n.put("rv", revision);
        n.put("start", start);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(n));
    }

    public static ContinueToken decode(String token) {
        try {
            byte[] raw = Base64.getUrlDecoder().decode(token.strip().replace('+', '-').replace('/', '_')
                    .replace("=", ""));
            JsonNode n = Json.MAPPER.readTree(new String(raw, StandardCharsets.UTF_8));
            if (!"meta.k8s.io/v1".equals(Json.text(n, "v")) || !n.path("rv").isNumber() || !n.path("start").isString()) {
                throw new IllegalArgumentException();
            }
            long rv = n.path("rv").asLong();
            String start = n.path("start").stringValue();
            if (rv <= 0 || start.contains("..") || start.startsWith("/")) {
                throw new IllegalArgumentException();
            }
            return new ContinueToken(rv, start);
        } catch (IllegalArgumentException | JacksonException e) {
            throw ApiException.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }
}

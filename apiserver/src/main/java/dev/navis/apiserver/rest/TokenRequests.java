package dev.navis.apiserver.rest;

import dev.navis.api.FieldError;
import dev.navis.apiserver.auth.ServiceAccountTokenAuthenticator;
import dev.navis.apiserver.auth.ServiceAccountTokens;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * POST serviceaccounts/{name}/token: upstream's TokenREST. Answers an authentication.k8s.io/v1 TokenRequest with a
 * signed, time-bound token for the ServiceAccount: spec.audiences default to the API server's, expirationSeconds to
 * 3600 (at least 600); spec.boundObjectRef binds the token to a Pod (which must run as this ServiceAccount) or a
 * Secret, so that it stops authenticating once that object is gone (a pod-bound token also names the pod's node).
 * Nothing is stored.
 */
final class TokenRequests {
    static final long DEFAULT_EXPIRATION_SECONDS = 3600;
    static final long MIN_EXPIRATION_SECONDS = 600;
    private static final long MAX_EXPIRATION_SECONDS = 1L << 32;

    private final ServiceAccountTokens tokens;
    private final List<String> audiences;
    private final RestStorage serviceAccounts;
    private final RestStorage pods;
    private final RestStorage secrets;
    private final RestStorage nodes;
    private final Clock clock;

    /** @param nodes where a bound pod's node is looked up (its uid joins the claims); null: not served */
    TokenRequests(ServiceAccountTokens tokens, List<String> audiences, RestStorage serviceAccounts, RestStorage pods,
                  RestStorage secrets, RestStorage nodes, Clock clock) {
        this.tokens = tokens;
        this.audiences = List.copyOf(audiences);
        this.serviceAccounts = serviceAccounts;
        this.pods = pods;
        this.secrets = secrets;
        this.nodes = nodes;
        this.clock = clock;
    }

    ObjectNode create(String namespace, String name, ObjectNode request) {
        String kind = Json.text(request, "kind");
        if (!kind.isEmpty() && !kind.equals("TokenRequest")) {
            throw ApiException.badRequest("the kind in the data (" + kind + ") does not match the expected kind "
                    + "(TokenRequest)");
        }
        String bodyNamespace = Json.namespace(request);
        if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(namespace)) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on "
                    + "the request");
        }
        ObjectNode out = request.deepCopy();
        out.put("apiVersion", "authentication.k8s.io/v1");
        out.put("kind", "TokenRequest");
        ObjectNode spec = out.get("spec") instanceof ObjectNode s ? s : out.putObject("spec");
        if (!(spec.get("audiences") instanceof ArrayNode given) || given.isEmpty()) {
            ArrayNode defaults = spec.putArray("audiences");
            audiences.forEach(defaults::add);
        }
        JsonNode exp = spec.get("expirationSeconds");
        long expirationSeconds = exp == null || exp.isNull() ? DEFAULT_EXPIRATION_SECONDS : exp.asLong();
        spec.put("expirationSeconds", expirationSeconds);
        validate(name, expirationSeconds);

        ObjectNode sa = serviceAccounts.get(namespace, name, ""); // 404 for a missing ServiceAccount
        ObjectNode bound = bind(name, namespace, spec.get("boundObjectRef"));

        Instant now = clock.instant();
        Instant expiry = now.plusSeconds(expirationSeconds);
        ObjectNode claims = Json.object();
        claims.set("aud", spec.get("audiences").deepCopy());
        claims.put("exp", expiry.getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("iss", tokens.issuer());
        claims.put("jti", UUID.randomUUID().toString());
        ObjectNode k8s = claims.putObject("kubernetes.io");
        k8s.put("namespace", namespace);
        if (bound != null) {
            if (bound.has("node")) {
                k8s.set("node", bound.get("node"));
            }
            k8s.set(bound.path("kind").asString(), bound.get("ref"));
        }
        ObjectNode saRef = k8s.putObject("serviceaccount");
        saRef.put("name", name);
        saRef.put("uid", Json.text(sa.path("metadata"), "uid"));
        claims.put("nbf", now.getEpochSecond());
        claims.put("sub", ServiceAccountTokenAuthenticator.USER_PREFIX + namespace + ":" + name);

        ObjectNode meta = Json.meta(out);
        meta.put("name", name);
        meta.put("namespace", namespace);
        if (!meta.has("creationTimestamp")) {
            meta.putNull("creationTimestamp");
        }
        ObjectNode status = out.putObject("status");
        status.put("token", tokens.sign(claims));
        status.put("expirationTimestamp", Json.timestamp(expiry));
        return out;
    }

    private static void validate(String name, long expirationSeconds) {
        String detail = expirationSeconds < MIN_EXPIRATION_SECONDS
                ? "may not specify a duration less than 10 minutes"
                : expirationSeconds > MAX_EXPIRATION_SECONDS ? "may not specify a duration larger than 2^32 seconds"
                : null;
        if (detail == null) {
            return;
        }
        FieldError error = FieldError.invalid("spec.expirationSeconds", expirationSeconds, detail);
        ObjectNode details = Json.object();
        details.put("name", name);
        details.put("group", "authentication.k8s.io");
        details.put("kind", "TokenRequest");
        ObjectNode cause = details.putArray("causes").addObject();
        cause.put("reason", error.type().reason);
        cause.put("message", error.causeMessage());
        cause.put("field", error.field());
        throw new ApiException(422, "Invalid", "TokenRequest.authentication.k8s.io \"" + name + "\" is invalid: "
                + error, details);
    }

    /**
     * The {name, uid} of a bound pod's node, as upstream's ServiceAccountTokenPodNodeInfo adds it; null when the pod
     * is not scheduled or its node is not found (looked up only for its uid, so errors are ignored, as upstream).
     */
    private ObjectNode nodeOf(ObjectNode pod) {
        String nodeName = Json.text(pod.path("spec"), "nodeName");
        if (nodeName.isEmpty() || nodes == null) {
            return null;
        }
        var kv = nodes.storage().read("", nodeName);
        if (kv == null) {
            return null;
        }
        ObjectNode ref = Json.object();
        ref.put("name", nodeName);
        ref.put("uid", Json.text(nodes.storage().decode(kv).path("metadata"), "uid"));
        return ref;
    }

    /** The claim a bound object adds ({kind: "pod"|"secret", ref: {name, uid}}), or null when unbound. */
    private ObjectNode bind(String saName, String namespace, JsonNode ref) {
        if (ref == null || ref.isNull()) {
            return null;
        }
        String kind = Json.text(ref, "kind");
        String apiVersion = Json.text(ref, "apiVersion");
        String name = Json.text(ref, "name");
        ObjectNode object;
        String claim;
        if (kind.equals("Pod") && (apiVersion.isEmpty() || apiVersion.equals("v1"))) {
            object = pods.get(namespace, name, "");
            String podSa = Json.text(object.path("spec"), "serviceAccountName");
            if (!podSa.equals(saName)) {
                throw ApiException.badRequest("cannot bind token for serviceaccount \"" + saName
                        + "\" to pod running with different serviceaccount name.");
            }
            claim = "pod";
        } else if (kind.equals("Secret") && (apiVersion.isEmpty() || apiVersion.equals("v1"))) {
            object = secrets.get(namespace, name, "");
            claim = "secret";
        } else {
            throw ApiException.badRequest("cannot bind token to object of type " + (apiVersion.isEmpty() ? "" : apiVersion
                    + ", ") + "Kind=" + kind);
        }
        String uid = Json.text(object.path("metadata"), "uid");
        String wantedUid = Json.text(ref, "uid");
        if (!wantedUid.isEmpty() && !wantedUid.equals(uid)) {
            throw ApiException.conflict(kind, name, "the UID in the bound object reference (" + wantedUid
                    + ") does not match the UID in record. The object might have been deleted and then recreated");
        }
        ObjectNode out = Json.object();
        out.put("kind", claim);
        ObjectNode node = claim.equals("pod") ? nodeOf(object) : null;
        if (node != null) {
            out.set("node", node);
        }
        ObjectNode r = out.putObject("ref");
        r.put("name", name);
        r.put("uid", uid);
        return out;
    }
}

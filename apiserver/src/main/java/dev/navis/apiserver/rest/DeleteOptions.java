package dev.navis.apiserver.rest;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * meta/v1 DeleteOptions, from the query and/or the request body.
 *
 * @param gracePeriodSeconds null = the kind's default
 * @param propagationPolicy  "", "Orphan", "Background" or "Foreground"
 */
public record DeleteOptions(Long gracePeriodSeconds, String propagationPolicy, String preconditionUid,
                            String preconditionResourceVersion, boolean dryRun) {

    public static final DeleteOptions DEFAULT = new DeleteOptions(null, "", "", "", false);

    /** Merges a DeleteOptions body (may be null) over the query values. */
    public static DeleteOptions of(ObjectNode body, String queryGrace, String queryPolicy, boolean queryDryRun) {
        Long grace = null;
        String policy = queryPolicy == null ? "" : queryPolicy;
        String uid = "";
        String rv = "";
        boolean dryRun = queryDryRun;
        if (queryGrace != null && !queryGrace.isEmpty()) {
            try {
                grace = Long.parseLong(queryGrace);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid gracePeriodSeconds: " + queryGrace);
            }
        }
        if (body != null) {
            JsonNode g = body.get("gracePeriodSeconds");
            if (g != null && g.isNumber()) {
                grace = g.asLong();
            }
            if (!Json.text(body, "propagationPolicy").isEmpty()) {
                policy = Json.text(body, "propagationPolicy");
            }
            JsonNode orphan = body.get("orphanDependents");
            if (orphan != null && orphan.isBoolean() && policy.isEmpty()) {
                policy = orphan.asBoolean() ? "Orphan" : "Background";
            }
            uid = Json.text(body.path("preconditions"), "uid");
            rv = Json.text(body.path("preconditions"), "resourceVersion");
            for (JsonNode d : body.path("dryRun")) {
                if ("All".equals(d.asString(""))) {
                    dryRun = true;
                }
            }
        }
        if (!policy.isEmpty() && !policy.equals("Orphan") && !policy.equals("Background") && !policy.equals("Foreground")) {
            throw new ApiException(422, "Invalid", "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: "
                    + "Unsupported value: \"" + policy + "\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"", null);
        }
        if (grace != null && grace < 0) {
            grace = 0L;
        }
        return new DeleteOptions(grace, policy, uid, rv, dryRun);
    }
}

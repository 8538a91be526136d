package dev.navis.apiserver.rest.review;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.ResourceStrategy;
import dev.navis.apiserver.auth.UserInfo;
import dev.navis.apiserver.rest.ApiException;
import dev.navis.apiserver.rest.Json;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The create-only "review" resources that are answered, never stored: authentication.k8s.io/v1
 * SelfSubjectReview (kubectl auth whoami) and authorization.k8s.io/v1 SelfSubjectAccessReview
 * (kubectl auth can-i). Access reviews ask an {@link AccessReviewer}; Navis has no authorizer yet, so the
 * default one allows everything, which is what the server then does.
 */
public final class Reviews {

    /** Decides whether a user may do what a review's resourceAttributes/nonResourceAttributes describe. */
    public interface AccessReviewer {
        /** @return null when allowed, otherwise the reason of the denial */
        String denial(UserInfo user, JsonNode spec);

        AccessReviewer ALLOW_ALL = (user, spec) -> null;
    }

    private static final ResourceStrategy NONE = new ResourceStrategy() {
    };

    public static final ResourceDefinition SELF_SUBJECT_REVIEWS = new ResourceDefinition("authentication.k8s.io", "v1",
            "SelfSubjectReview", "selfsubjectreviews", "selfsubjectreview", false, List.of(), List.of(), Set.of(), NONE);
    public static final ResourceDefinition SELF_SUBJECT_ACCESS_REVIEWS = new ResourceDefinition("authorization.k8s.io",
            "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", "selfsubjectaccessreview", false, List.of(),
            List.of(), Set.of(), NONE);

    /** The review resources, for discovery and routing. */
    public static List<ResourceDefinition> definitions() {
        return List.of(SELF_SUBJECT_REVIEWS, SELF_SUBJECT_ACCESS_REVIEWS);
    }

    public static boolean isReview(ResourceDefinition def) {
        return definitions().contains(def);
    }

    private final AccessReviewer reviewer;

    public Reviews(AccessReviewer reviewer) {
        this.reviewer = reviewer;
    }

    /** Answers a POST of a review: the body with its status filled in. */
    public ObjectNode answer(ResourceDefinition def, ObjectNode body, UserInfo user) {
        String kind = Json.text(body, "kind");
        if (!kind.isEmpty() && !kind.equals(def.kind())) {
            throw ApiException.badRequest("the kind in the data (" + kind + ") does not match the expected kind ("
                    + def.kind() + ")");
        }
        UserInfo who = user == null ? UserInfo.anonymous() : user;
        ObjectNode out = body.deepCopy();
        out.put("apiVersion", def.apiVersion());
        out.put("kind", def.kind());
        Json.meta(out).put("creationTimestamp", Json.now());
        ObjectNode status = out.putObject("status");
        if (def.equals(SELF_SUBJECT_REVIEWS)) {
            ObjectNode info = status.putObject("userInfo");
            info.put("username", who.name());
            if (!who.uid().isEmpty()) {
                info.put("uid", who.uid());
            }
            ArrayNode groups = info.putArray("groups");
            who.groups().forEach(groups::add);
            return out;
        }
        JsonNode spec = body.path("spec");
        if (!spec.has("resourceAttributes") && !spec.has("nonResourceAttributes")) {
            throw new ApiException(422, "Invalid", "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: "
                    + "spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or "
                    + "resourceAttributes must be specified", null);
        }
        String denial = reviewer.denial(who, spec);
        status.put("allowed", denial == null);
        if (denial != null) {
            status.put("reason", denial);
        }
        return out;
    }
}

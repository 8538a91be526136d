package dev.navis.apiserver.rest;

import dev.navis.api.FieldError;
import dev.navis.api.ResourceDefinition;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A failure the client gets as a meta/v1 Status with upstream's code, reason and message. Every error the
 * REST layer answers is one of these; the factory methods reproduce upstream's k8s.io/apimachinery errors.
 */
public final class ApiException extends RuntimeException {
    private final int code;
    private final String reason;
    private final ObjectNode details;

    public ApiException(int code, String reason, String message, ObjectNode details) {
        super(message, null, false, false);
        this.code = code;
        this.reason = reason;
        this.details = details;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    /** The meta/v1 Status object of this failure. */
    public ObjectNode toStatus() {
        ObjectNode status = Json.object();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", getMessage());
        if (!reason.isEmpty()) {
            status.put("reason", reason);
        }
        if (details != null) {
            // an empty one too: upstream's NotFound for an unknown path says "details":{}, and kubectl debug reads it
            status.set("details", details);
        }
        status.put("code", code);
        return status;
    }

    private static ObjectNode details(ResourceDefinition def, String name) {
        ObjectNode d = Json.object();
        if (name != null && !name.isEmpty()) {
            d.put("name", name);
        }
        if (def != null) {
            if (!def.group().isEmpty()) {
                d.put("group", def.group());
            }
            d.put("kind", def.plural());
        }
        return d;
    }

    private static String qualified(ResourceDefinition def) {
        return def.groupResource();
    }

    public static ApiException notFound(ResourceDefinition def, String name) {
        return new ApiException(404, "NotFound", qualified(def) + " \"" + name + "\" not found", details(def, name));
    }

    /** A URL the server has no handler for (kubectl treats this as "resource type unknown"). */
    public static ApiException pathNotFound() {
        return new ApiException(404, "NotFound", "the server could not find the requested resource", Json.object());
    }

    public static ApiException alreadyExists(ResourceDefinition def, String name) {
        return new ApiException(409, "AlreadyExists", qualified(def) + " \"" + name + "\" already exists",
                details(def, name));
    }

    public static ApiException conflict(ResourceDefinition def, String name, String why) {
        return new ApiException(409, "Conflict",
                "Operation cannot be fulfilled on " + qualified(def) + " \"" + name + "\": " + why, details(def, name));
    }

    public static ApiException conflict(String qualifiedResource, String name, String why) {
        ObjectNode d = Json.object();
        d.put("name", name);
        d.put("kind", qualifiedResource);
        return new ApiException(409, "Conflict",
                "Operation cannot be fulfilled on " + qualifiedResource + " \"" + name + "\": " + why, d);
    }

    public static ApiException modified(ResourceDefinition def, String name) {
        return conflict(def, name,
                "the object has been modified; please apply your changes to the latest version and try again");
    }

    public static ApiException forbidden(ResourceDefinition def, String name, String why) {
        String subject = name == null || name.isEmpty() ? qualified(def) : qualified(def) + " \"" + name + "\"";
        return new ApiException(403, "Forbidden", subject + " is forbidden: " + why, details(def, name));
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message, null);
    }

    public static ApiException methodNotAllowed() {
        return new ApiException(405, "MethodNotAllowed",
                "the server does not allow this method on the requested resource", null);
    }

    /** Upstream's 415 for a built-in kind: the body types its decoders take, protobuf included. */
    public static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: "
                        + "application/json, application/yaml, application/vnd.kubernetes.protobuf", null);
    }

    public static ApiException notAcceptable() {
        return new ApiException(406, "NotAcceptable",
                "only the following media types are accepted: application/json, application/yaml", null);
    }

    public static ApiException tooLarge() {
        return new ApiException(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728", null);
    }

    /** 410 Expired: a resourceVersion or continue token from compacted history. */
    public static ApiException expired(String message) {
        return new ApiException(410, "Expired", message, null);
    }

    public static ApiException timeout(String message) {
        return new ApiException(504, "Timeout", message, null);
    }

    public static ApiException internal(String message) {
        return new ApiException(500, "InternalError", "Internal error occurred: " + message, null);
    }

    /** 422 Invalid, worded like upstream's errors.NewInvalid. */
    public static ApiException invalid(ResourceDefinition def, String name, List<FieldError> errors) {
        ObjectNode d = Json.object();
        if (name != null && !name.isEmpty()) {
            d.put("name", name);
        }
        d.put("group", def.group());
        d.put("kind", def.kind());
        ArrayNode causes = d.putArray("causes");
        for (FieldError e : errors) {
            ObjectNode c = causes.addObject();
            c.put("reason", e.type().reason);
            c.put("message", e.causeMessage());
            c.put("field", e.field());
        }
        String list;
        if (errors.size() == 1) {
            list = errors.get(0).toString();
        } else {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < errors.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append(errors.get(i));
            }
            list = sb.append(']').toString();
        }
        return new ApiException(422, "Invalid", def.kind() + " \"" + (name == null ? "" : name) + "\" is invalid: " + list, d);
    }
}

package dev.navis.client.rest;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import io.fabric8.kubernetes.api.model.Status;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Turns a failed HTTP response into an {@link ApiException}: the server's own Status when the body is one,
 * else a Status made from the code as client-go's newUnstructuredResponseError does.
 */
final class HttpStatuses {

    private HttpStatuses() {
    }

    static ApiException toException(int code, byte[] body) {
        if (body != null && body.length > 0) {
            try {
                JsonNode node = Json.MAPPER.readTree(body);
                if (node != null && "Status".equals(node.path("kind").asString(""))) {
                    Status status = Json.convert(node, Status.class);
                    if (status.getCode() == null || status.getCode() == 0) {
                        status.setCode(code);
                    }
                    return new ApiException(status);
                }
            } catch (JacksonException notJson) {
                // fall through: a proxy or a panic handler answered with text
            }
        }
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8).trim();
        String message = text.isEmpty() ? "the server responded with the status code " + code
                + " but did not return more information" : text;
        return new ApiException(ApiException.failure(code, reasonFor(code), message, null, null));
    }

    static String reasonFor(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 406 -> "NotAcceptable";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 413 -> "RequestEntityTooLarge";
            case 415 -> "UnsupportedMediaType";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> code >= 500 ? "InternalError" : "Unknown";
        };
    }
}

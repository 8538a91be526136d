package dev.navis.apiserver.server;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import tools.jackson.databind.json.JsonMapper;

/**
 * A Kubernetes {@code Status} failure body ({@code kind: Status, apiVersion: v1, status: Failure}) with the HTTP
 * code and upstream's reason for it: how the plumbing answers bad requests, never with an HTML page.
 */
public final class StatusResponse {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StatusResponse() {
    }

    /** Writes a Status with {@code code}, upstream's reason for it and {@code message}, completing {@code callback}. */
    public static void write(Response response, Callback callback, int code, String message) {
        write(response, callback, code, reasonFor(code), message);
    }

    public static void write(Response response, Callback callback, int code, String reason, String message) {
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, private");
        response.write(true, ByteBuffer.wrap(body(code, reason, message)), callback);
    }

    /** The JSON bytes of a failure Status. */
    public static byte[] body(int code, String reason, String message) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return JSON.writeValueAsBytes(status);
    }

    /** Upstream's StatusReason for an HTTP code (metav1.StatusReason*), "" when it has none. */
    public static String reasonFor(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 406 -> "NotAcceptable";
            case 409 -> "Conflict";
            case 410 -> "Expired";
            case 413 -> "RequestEntityTooLarge";
            case 415 -> "UnsupportedMediaType";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "";
        };
    }
}

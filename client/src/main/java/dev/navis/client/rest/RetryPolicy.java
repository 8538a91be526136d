package dev.navis.client.rest;

import java.time.Duration;

/**
 * When a request is tried again. 429 means the server did not process the request, so every verb is
 * retried; a 5xx may have been processed, so only idempotent verbs (GET, PUT, DELETE) are. The wait is the
 * response's Retry-After seconds, else {@code defaultDelay}.
 *
 * @param maxRetries   retries after the first attempt (client-go: 10)
 * @param defaultDelay wait when the response gives no Retry-After
 */
public record RetryPolicy(int maxRetries, Duration defaultDelay) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(10, Duration.ofSeconds(1));
    public static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO);

    boolean retryable(String method, int code) {
        if (code == 429) {
            return true;
        }
        boolean idempotent = method.equals("GET") || method.equals("PUT") || method.equals("DELETE");
        return idempotent && (code == 500 || code == 502 || code == 503 || code == 504);
    }

    /** The wait before the next attempt, from a Retry-After header value (seconds) when present. */
    long delayNanos(String retryAfter) {
        if (retryAfter != null) {
            try {
                long seconds = Long.parseLong(retryAfter.trim());
                if (seconds >= 0) {
                    return Duration.ofSeconds(seconds).toNanos();
                }
            } catch (NumberFormatException e) {
                // an HTTP date: fall back to the default delay
            }
        }
        return defaultDelay.toNanos();
    }
}

package dev.navis.client;

/**
 * Query parameters of list and watch (meta/v1 ListOptions). Immutable; the {@code with*} methods return
 * copies. Null or zero fields are left out of the request.
 */
public record ListOptions(String labelSelector, String fieldSelector, String resourceVersion,
                          String resourceVersionMatch, long limit, String continueToken, Long timeoutSeconds,
                          boolean allowWatchBookmarks) {

    public static final ListOptions ALL = new ListOptions(null, null, null, null, 0, null, null, false);

    public ListOptions withLabelSelector(String s) {
        return new ListOptions(s, fieldSelector, resourceVersion, resourceVersionMatch, limit, continueToken,
                timeoutSeconds, allowWatchBookmarks);
    }

    public ListOptions withFieldSelector(String s) {
        return new ListOptions(labelSelector, s, resourceVersion, resourceVersionMatch, limit, continueToken,
                timeoutSeconds, allowWatchBookmarks);
    }

    public ListOptions withResourceVersion(String rv) {
        return new ListOptions(labelSelector, fieldSelector, rv, resourceVersionMatch, limit, continueToken,
                timeoutSeconds, allowWatchBookmarks);
    }

    public ListOptions withResourceVersionMatch(String match) {
        return new ListOptions(labelSelector, fieldSelector, resourceVersion, match, limit, continueToken,
                timeoutSeconds, allowWatchBookmarks);
    }

    public ListOptions withLimit(long l) {
        return new ListOptions(labelSelector, fieldSelector, resourceVersion, resourceVersionMatch, l, continueToken,
                timeoutSeconds, allowWatchBookmarks);
    }

    public ListOptions withContinue(String token) {
        return new ListOptions(labelSelector, fieldSelector, resourceVersion, resourceVersionMatch, limit, token,
                timeoutSeconds, allowWatchBookmarks);
    }

    public ListOptions withTimeoutSeconds(Long seconds) {
        return new ListOptions(labelSelector, fieldSelector, resourceVersion, resourceVersionMatch, limit,
                continueToken, seconds, allowWatchBookmarks);
    }

    public ListOptions withAllowWatchBookmarks(boolean allow) {
        return new ListOptions(labelSelector, fieldSelector, resourceVersion, resourceVersionMatch, limit,
                continueToken, timeoutSeconds, allow);
    }
}

package dev.navis.apiserver.rest;

/**
 * The list/watch query parameters of a request.
 *
 * @param resourceVersion      "" (consistent read), "0" (any, from cache) or a revision
 * @param resourceVersionMatch "", "NotOlderThan" or "Exact"
 */
public record ListOptions(ObjectFilter filter, long limit, String continueToken, String resourceVersion,
                          String resourceVersionMatch) {
}

package dev.navis.apiserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a request asks for, read from its method, path and query the way upstream's RequestInfoFactory does:
 * the Kubernetes verb and, for resource requests, the group, version, resource, subresource, namespace and
 * name. Authorization, metrics and the REST handler all read it from the request attribute {@link #ATTRIBUTE}.
 *
 * <pre>
 *   RequestInfo.parse("GET", "/api/v1/namespaces/ns/pods", "watch=true")
 *     -&gt; verb "watch", group "", version "v1", resource "pods", namespace "ns"
 *   RequestInfo.parse("GET", "/healthz", null) -&gt; verb "get", not a resource request
 * </pre>
 *
 * @param verb              get, list, watch, create, update, patch, delete, deletecollection, proxy; for
 *                          non-resource requests the lower-case HTTP method; "" for an unknown method
 * @param apiGroup          "" for the core group
 * @param apiVersion        e.g. "v1"
 * @param resource          e.g. "pods"
 * @param subresource       e.g. "status", "" when none
 * @param namespace         "" for cluster-scoped requests (and for /namespaces/{name} itself)
 * @param name              "" for collection requests
 * @param isResourceRequest false for /healthz, /api, /apis/apps/v1 and the like
 */
public record RequestInfo(String verb, String apiGroup, String apiVersion, String resource, String subresource,
                          String namespace, String name, boolean isResourceRequest) {

    /** The Jetty request attribute under which the chain stores the parsed {@code RequestInfo}. */
    public static final String ATTRIBUTE = "dev.navis.apiserver.requestInfo";

    private static final Set<String> API_PREFIXES = Set.of("api", "apis");
    private static final String GROUPLESS_PREFIX = "api";
    /** Verbs that appear as the first path segment after the version: /api/v1/watch/pods. */
    private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");
    /** Subresources of a namespace, so /namespaces/ns/status is not a resource called "status". */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");
    private static final Set<String> LONG_RUNNING_SUBRESOURCES = Set.of("attach", "exec", "proxy", "log", "portforward");

    /**
     * Reads a request the way upstream does.
     *
     * @param method the HTTP method, e.g. "GET"
     * @param path   the decoded URL path, e.g. "/api/v1/namespaces/default/pods/web/status"
     * @param query  the raw query string without '?', or null
     * @throws IllegalArgumentException for a special verb without a resource (/api/v1/watch)
     */
    public static RequestInfo parse(String method, String path, String query) {
        String lowerMethod = method.toLowerCase(Locale.ROOT);
        List<String> parts = splitPath(path);
        RequestInfo nonResource = new RequestInfo(lowerMethod, "", "", "", "", "", "", false);
        if (parts.size() < 3 || !API_PREFIXES.contains(parts.get(0))) {
            return nonResource;
        }
        String prefix = parts.get(0);
        int at = 1;
        String group = "";
        if (!prefix.equals(GROUPLESS_PREFIX)) {
            // /apis/{group}/{version}/{resource} needs four parts to name a resource
            if (parts.size() - at < 3) {
                return nonResource;
            }
            group = parts.get(at++);
        }
        String version = parts.get(at++);

        String verb;
        if (SPECIAL_VERBS.contains(parts.get(at))) {
            if (parts.size() - at < 2) {
                throw new IllegalArgumentException("unable to determine kind and namespace from url, " + path);
            }
            verb = parts.get(at++);
        } else {
            verb = verbOf(method);
        }

        String namespace = "";
        if (parts.get(at).equals("namespaces")) {
            if (parts.size() - at > 1) {
                namespace = parts.get(at + 1);
                // /namespaces/{ns}/{resource}/...: the rest is relative to the resource
                if (parts.size() - at > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(at + 2))) {
                    at += 2;
                }
            }
        }

        List<String> rest = parts.subList(at, parts.size());
        String resource = rest.get(0);
        String name = rest.size() >= 2 ? rest.get(1) : "";
        // proxy/{resource}/{name}/anything: the tail is the proxied path, not a subresource
        String subresource = rest.size() >= 3 && !verb.equals("proxy") ? rest.get(2) : "";

        if (name.isEmpty() && verb.equals("get")) {
            String watch = firstQueryValue(query, "watch");
            verb = isTrue(watch) ? "watch" : "list";
            name = nameFromFieldSelector(firstQueryValue(query, "fieldSelector"));
        }
        if (name.isEmpty() && verb.equals("delete")) {
            verb = "deletecollection";
        }
        return new RequestInfo(verb, group, version, resource, subresource, namespace, name, true);
    }

    /** The request's scope as upstream's metrics name it: namespace, resource, cluster or "". */
    public String scope() {
        if (!namespace.isEmpty()) {
            return "namespace";
        }
        if (!name.isEmpty()) {
            return "resource";
        }
        return isResourceRequest ? "cluster" : "";
    }

    /**
     * True for requests that may stay open for as long as the client does (upstream's long-running check):
     * the watch and proxy verbs and the attach, exec, proxy, log and portforward subresources.
     */
    public boolean isLongRunning() {
        return verb.equals("watch") || verb.equals("proxy") || LONG_RUNNING_SUBRESOURCES.contains(subresource);
    }

    private static String verbOf(String method) {
        return switch (method) {
            case "POST" -> "create";
            case "GET", "HEAD" -> "get";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> "";
        };
    }

    /** Upstream's bool conversion of query values: anything but "false" and "0" is true. */
    /**
     * A boolean query parameter as upstream reads one: absent is false, "false" (any case) and "0" are false,
     * anything else (the empty string too) is true.
     */
    public static boolean isTrue(String value) {
        if (value == null) {
            return false;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        return !lower.equals("false") && !lower.equals("0");
    }

    /** A list narrowed to one object by fieldSelector=metadata.name=x is about that object. */
    private static String nameFromFieldSelector(String selector) {
        if (selector == null) {
            return "";
        }
        for (String term : selector.split(",")) {
            String t = term.trim();
            for (String op : new String[] {"==", "="}) {
                String key = "metadata.name" + op;
                if (t.startsWith(key)) {
                    String value = t.substring(key.length());
                    return isValidPathSegmentName(value) ? value : "";
                }
            }
        }
        return "";
    }

    private static boolean isValidPathSegmentName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..")
                && name.indexOf('/') < 0 && name.indexOf('%') < 0;
    }

    private static String firstQueryValue(String query, String key) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (k.equals(key)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }

    private static List<String> splitPath(String path) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        int end = path.length();
        while (start < end && path.charAt(start) == '/') {
            start++;
        }
        while (end > start && path.charAt(end - 1) == '/') {
            end--;
        }
        if (start == end) {
            return parts;
        }
        int from = start;
        for (int i = start; i <= end; i++) {
            if (i == end || path.charAt(i) == '/') {
                parts.add(path.substring(from, i));
                from = i + 1;
            }
        }
        return parts;
    }
}

package dev.navis.apiserver.rest;

import java.util.ArrayList;
import java.util.List;

/**
 * The REST route of a path below /api or /apis (discovery document or resource URL): group, version,
 * namespace, resource, name, subresource, and whether it used the legacy /watch/ prefix. Unlike
 * {@link dev.navis.apiserver.RequestInfo} (authorization's view, which e.g. takes a name from a
 * metadata.name field selector), this is only the URL's structure, as upstream's route table sees it.
 */
public record ApiPath(Kind kind, String group, String version, String namespace, String resource, String name,
                      String subresource, boolean legacyWatch) {

    public enum Kind { API_ROOT, APIS_ROOT, GROUP, GROUP_VERSION, RESOURCE }

    /** Parses {@code path}; null when it is not below /api or /apis or has too many segments. */
    public static ApiPath parse(String path) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                parts.add(s);
            }
        }
        if (parts.isEmpty()) {
            return null;
        }
        String prefix = parts.remove(0);
        String group;
        if (prefix.equals("api")) {
            if (parts.isEmpty()) {
                return new ApiPath(Kind.API_ROOT, "", "", "", "", "", "", false);
            }
            group = "";
        } else if (prefix.equals("apis")) {
            if (parts.isEmpty()) {
                return new ApiPath(Kind.APIS_ROOT, "", "", "", "", "", "", false);
            }
            group = parts.remove(0);
            if (parts.isEmpty()) {
                return new ApiPath(Kind.GROUP, group, "", "", "", "", "", false);
            }
        } else {
            return null;
        }
        String version = parts.remove(0);
        if (parts.isEmpty()) {
            return new ApiPath(Kind.GROUP_VERSION, group, version, "", "", "", "", false);
        }
        boolean watch = false;
        if (parts.get(0).equals("watch")) {
            watch = true;
            parts.remove(0);
            if (parts.isEmpty()) {
                return null;
            }
        }
        String namespace = "";
        if (parts.get(0).equals("namespaces") && parts.size() > 1) {
            namespace = parts.get(1);
            if (parts.size() > 2 && !parts.get(2).equals("status") && !parts.get(2).equals("finalize")) {
                parts = parts.subList(2, parts.size());
            }
        }
        if (parts.size() > 3) {
            if (!parts.get(2).equals("proxy")) {
                return null;
            }
            parts = parts.subList(0, 3); // {resource}/{name}/proxy/{path...}: the path is the proxied one
        }
        String resource = parts.get(0);
        String name = parts.size() > 1 ? parts.get(1) : "";
        String sub = parts.size() > 2 ? parts.get(2) : "";
        if (resource.equals("namespaces")) {
            namespace = "";
        }
        return new ApiPath(Kind.RESOURCE, group, version, namespace, resource, name, sub, watch);
    }

    /** For a {@code proxy} subresource: the proxied path after {@code .../{name}/proxy}, "" when there is none. */
    public String proxyPath(String path) {
        StringBuilder prefix = new StringBuilder(group.isEmpty() ? "/api/" : "/apis/" + group + "/").append(version);
        if (!namespace.isEmpty()) {
            prefix.append("/namespaces/").append(namespace);
        }
        prefix.append('/').append(resource).append('/').append(name).append("/proxy");
        return path.startsWith(prefix.toString()) ? path.substring(prefix.length()) : "";
    }
}

package dev.navis.apiserver.rest.discovery;

import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.rest.Json;
import dev.navis.apiserver.rest.ResourceIndex;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * API discovery documents: the legacy APIVersions / APIGroupList / APIGroup / APIResourceList and the
 * aggregated APIGroupDiscoveryList (apidiscovery.k8s.io v2 and v2beta1) that kubectl 1.32 asks for first.
 */
public final class Discovery {
    private static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    private final ResourceIndex index;
    private final java.util.function.Function<ResourceDefinition, List<String>> verbs;

    /** @param verbs the verbs each resource supports */
    public Discovery(ResourceIndex index, java.util.function.Function<ResourceDefinition, List<String>> verbs) {
        this.index = index;
        this.verbs = verbs;
    }

    /** The verbs of an ordinary stored resource. */
    public static List<String> allVerbs() {
        return ALL_VERBS;
    }

    /** GET /api */
    public ObjectNode apiVersions() {
        ObjectNode o = Json.object();
        o.put("kind", "APIVersions");
        ArrayNode versions = o.putArray("versions");
        for (String v : index.versionsByGroup().getOrDefault("", List.of())) {
            versions.add(v);
        }
        ArrayNode addrs = o.putArray("serverAddressByClientCIDRs");
        ObjectNode a = addrs.addObject();
        a.put("clientCIDR", "0.0.0.0/0");
        a.put("serverAddress", "");
        return o;
    }

    /** GET /apis */
    public ObjectNode apiGroupList() {
        ObjectNode o = Json.object();
        o.put("kind", "APIGroupList");
        o.put("apiVersion", "v1");
        ArrayNode groups = o.putArray("groups");
        for (Map.Entry<String, List<String>> e : index.versionsByGroup().entrySet()) {
            if (!e.getKey().isEmpty()) {
                groups.add(apiGroupBody(e.getKey(), e.getValue()));
            }
        }
        return o;
    }

    /** GET /apis/&lt;group&gt;, or null when the group is not served. */
    public ObjectNode apiGroup(String group) {
        List<String> versions = index.versionsByGroup().get(group);
        if (group.isEmpty() || versions == null) {
            return null;
        }
        ObjectNode o = apiGroupBody(group, versions);
        o.put("kind", "APIGroup");
        o.put("apiVersion", "v1");
        return o;
    }

    private static ObjectNode apiGroupBody(String group, List<String> versions) {
        ObjectNode g = Json.object();
        g.put("name", group);
        ArrayNode vs = g.putArray("versions");
        for (String v : versions) {
            ObjectNode gv = vs.addObject();
            gv.put("groupVersion", group + "/" + v);
            gv.put("version", v);
        }
        ObjectNode preferred = g.putObject("preferredVersion");
        preferred.put("groupVersion", group + "/" + versions.get(0));
        preferred.put("version", versions.get(0));
        return g;
    }

    /** GET /api/v1 or /apis/&lt;group&gt;/&lt;version&gt;, or null when not served. */
    public ObjectNode resourceList(String group, String version) {
        List<ResourceDefinition> defs = index.inGroupVersion(group, version);
        if (defs.isEmpty()) {
            return null;
        }
        ObjectNode o = Json.object();
        o.put("kind", "APIResourceList");
        o.put("apiVersion", "v1");
        o.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = o.putArray("resources");
        for (ResourceDefinition d : defs) {
            ObjectNode r = resources.addObject();
            r.put("name", d.plural());
            r.put("singularName", d.singular());
            r.put("namespaced", d.namespaced());
            r.put("kind", d.kind());
            strings(r.putArray("verbs"), verbs.apply(d));
            if (!d.shortNames().isEmpty()) {
                strings(r.putArray("shortNames"), d.shortNames());
            }
            if (!d.categories().isEmpty()) {
                strings(r.putArray("categories"), d.categories());
            }
            for (String sub : d.subresources().stream().sorted().toList()) {
                Subresource s = Subresource.of(d, sub);
                ObjectNode sr = resources.addObject();
                sr.put("name", d.plural() + "/" + sub);
                sr.put("singularName", "");
                sr.put("namespaced", d.namespaced());
                if (!s.group().equals(d.group()) || !s.version().equals(d.version())) {
                    sr.put("group", s.group());
                    sr.put("version", s.version());
                }
                sr.put("kind", s.kind());
                strings(sr.putArray("verbs"), s.verbs());
            }
        }
        return o;
    }

    /** The aggregated discovery document of /api (core group) or /apis (all other groups). */
    public ObjectNode aggregated(boolean core, String discoveryVersion) {
        ObjectNode o = Json.object();
        o.put("kind", "APIGroupDiscoveryList");
        o.put("apiVersion", "apidiscovery.k8s.io/" + discoveryVersion);
        o.putObject("metadata");
        ArrayNode items = o.putArray("items");
        for (Map.Entry<String, List<String>> e : index.versionsByGroup().entrySet()) {
            String group = e.getKey();
            if (group.isEmpty() != core) {
                continue;
            }
            ObjectNode item = items.addObject();
            ObjectNode meta = item.putObject("metadata");
            if (!group.isEmpty()) {
                meta.put("name", group);
            }
            meta.putNull("creationTimestamp");
            ArrayNode versions = item.putArray("versions");
            for (String v : e.getValue()) {
                ObjectNode ver = versions.addObject();
                ver.put("version", v);
                ArrayNode resources = ver.putArray("resources");
                for (ResourceDefinition d : index.inGroupVersion(group, v)) {
                    ObjectNode r = resources.addObject();
                    r.put("resource", d.plural());
                    r.set("responseKind", kind(d.group(), d.version(), d.kind()));
                    r.put("scope", d.namespaced() ? "Namespaced" : "Cluster");
                    r.put("singularResource", d.singular());
                    strings(r.putArray("verbs"), verbs.apply(d));
                    if (!d.shortNames().isEmpty()) {
                        strings(r.putArray("shortNames"), d.shortNames());
                    }
                    if (!d.categories().isEmpty()) {
                        strings(r.putArray("categories"), d.categories());
                    }
                    if (!d.subresources().isEmpty()) {
                        ArrayNode subs = r.putArray("subresources");
                        for (String sub : d.subresources().stream().sorted().toList()) {
                            Subresource s = Subresource.of(d, sub);
                            ObjectNode sr = subs.addObject();
                            sr.put("subresource", sub);
                            sr.set("responseKind", kind(s.group(), s.version(), s.kind()));
                            strings(sr.putArray("verbs"), s.verbs());
                        }
                    }
                }
                ver.put("freshness", "Current");
            }
        }
        return o;
    }

    private static ObjectNode kind(String group, String version, String kind) {
        ObjectNode k = Json.object();
        k.put("group", group);
        k.put("version", version);
        k.put("kind", kind);
        return k;
    }

    private static void strings(ArrayNode a, List<String> values) {
        for (String v : values) {
            a.add(v);
        }
    }

    /** What a subresource answers with and which verbs it has, as upstream registers them. */
    record Subresource(String group, String version, String kind, List<String> verbs) {
        static Subresource of(ResourceDefinition d, String sub) {
            return switch (sub) {
                case "status" -> new Subresource(d.group(), d.version(), d.kind(), List.of("get", "patch", "update"));
                case "scale" -> new Subresource("autoscaling", "v1", "Scale", List.of("get", "patch", "update"));
                case "binding" -> new Subresource("", "v1", "Binding", List.of("create"));
                case "eviction" -> new Subresource("policy", "v1", "Eviction", List.of("create"));
                case "finalize" -> new Subresource("", "v1", "Namespace", List.of("update"));
                case "log" -> new Subresource("", "v1", "Pod", List.of("get"));
                case "exec", "attach", "portforward" -> new Subresource("", "v1", "PodExecOptions".replace("Exec",
                        sub.equals("exec") ? "Exec" : sub.equals("attach") ? "Attach" : "PortForward"),
                        List.of("create", "get"));
                case "proxy" -> new Subresource("", "v1", d.kind().equals("Node") ? "NodeProxyOptions"
                        : d.kind().equals("Service") ? "ServiceProxyOptions" : "PodProxyOptions",
                        List.of("create", "delete", "get", "patch", "update"));
                case "ephemeralcontainers", "resize" -> new Subresource(d.group(), d.version(), d.kind(),
                        List.of("get", "patch", "update"));
                case "token" -> new Subresource("authentication.k8s.io", "v1", "TokenRequest", List.of("create"));
                case "approval" -> new Subresource(d.group(), d.version(), d.kind(), List.of("get", "patch", "update"));
                default -> new Subresource(d.group(), d.version(), d.kind(), List.of("get"));
            };
        }
    }
}

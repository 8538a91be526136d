package dev.navis.apiserver.rest;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.navis.apiserver.proxy.KubeletClient;
import dev.navis.apiserver.proxy.UpgradeAwareProxy;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The subresources that reach past the API server, as upstream's pod and node registries locate them: pods/log
 * (kubelet {@code /containerLogs/{ns}/{pod}/{container}}), pods/exec and pods/attach ({@code /exec/...},
 * {@code /attach/...}), pods/portforward ({@code /portForward/{ns}/{pod}}), pods/proxy (the pod's IP) and
 * nodes/proxy (the kubelet's port, or another port of the node). A kubelet is found from its Node: the first
 * address of the preferred types and {@code status.daemonEndpoints.kubeletEndpoint.Port}.
 */
final class StreamingSubresources {
    static final int DEFAULT_KUBELET_PORT = 10250;
    /** The address types tried in order (kube-apiserver's --kubelet-preferred-address-types, InternalIP first). */
    static final List<String> PREFERRED_ADDRESS_TYPES = List.of("InternalIP", "Hostname", "InternalDNS",
            "ExternalIP", "ExternalDNS");

    private final RestStorage pods;
    private final RestStorage nodes;
    private final RestStorage services;
    private final RestStorage endpoints;
    private volatile KubeletClient kubelets = KubeletClient.insecure();

    StreamingSubresources(RestStorage pods, RestStorage nodes, RestStorage services, RestStorage endpoints) {
        this.pods = pods;
        this.nodes = nodes;
        this.services = services;
        this.endpoints = endpoints;
    }

    void useKubeletClient(KubeletClient client) {
        this.kubelets = client;
    }

    /** True when {@code def}/{@code sub} is one of these subresources. */
    static boolean handles(String resource, String sub) {
        return switch (resource) {
            case "pods" -> switch (sub) {
                case "log", "exec", "attach", "portforward", "proxy" -> true;
                default -> false;
            };
            case "nodes", "services" -> sub.equals("proxy");
            default -> false;
        };
    }

    void serve(Request request, Response response, Callback callback, String resource, String ns, String name,
               String sub, String proxyPath, Fields q) {
        if (resource.equals("nodes")) {
            nodeProxy(request, response, callback, name, proxyPath);
            return;
        }
        if (resource.equals("services")) {
            serviceProxy(request, response, callback, ns, name, proxyPath);
            return;
        }
        switch (sub) {
            case "log" -> log(request, response, callback, ns, name, q);
            case "exec", "attach" -> stream(request, response, callback, ns, name, sub, q);
            case "portforward" -> portForward(request, response, callback, ns, name, q);
            case "proxy" -> podProxy(request, response, callback, ns, name, proxyPath);
            default -> throw ApiException.pathNotFound();
        }
    }

    // ---------------------------------------------------------------- pods/log

    private void log(Request request, Response response, Callback callback, String ns, String name, Fields q) {
        if (!request.getMethod().equals("GET")) {
            throw ApiException.methodNotAllowed();
        }
        ObjectNode pod = pods.get(ns, name, "");
        String container = validateContainer(pod, value(q, "container"));
        List<String> params = new ArrayList<>();
        if (bool(q, "follow")) {
            params.add("follow=true");
        }
        if (bool(q, "previous")) {
            params.add("previous=true");
        }
        if (bool(q, "timestamps")) {
            params.add("timestamps=true");
        }
        List<String> invalid = new ArrayList<>();
        Long sinceSeconds = number(q, "sinceSeconds");
        if (sinceSeconds != null) {
            if (sinceSeconds < 1) {
                invalid.add("sinceSeconds: Invalid value: " + sinceSeconds + ": must be greater than 0");
            }
            params.add("sinceSeconds=" + sinceSeconds);
        }
        String sinceTime = value(q, "sinceTime");
        if (!sinceTime.isEmpty()) {
            try {
                OffsetDateTime.parse(sinceTime);
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("parsing time \"" + sinceTime + "\" as RFC3339: cannot parse");
            }
            if (sinceSeconds != null) {
                invalid.add("sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
            }
            params.add("sinceTime=" + encode(sinceTime));
        }
        Long tailLines = number(q, "tailLines");
        if (tailLines != null) {
            if (tailLines < 0) {
                invalid.add("tailLines: Invalid value: " + tailLines + ": must be greater than or equal to 0");
            }
            params.add("tailLines=" + tailLines);
        }
        Long limitBytes = number(q, "limitBytes");
        if (limitBytes != null) {
            if (limitBytes < 1) {
                invalid.add("limitBytes: Invalid value: " + limitBytes + ": must be greater than 0");
            }
            params.add("limitBytes=" + limitBytes);
        }
        if (!invalid.isEmpty()) {
            ObjectNode details = Json.object();
            details.put("name", name);
            details.put("kind", "PodLogOptions");
            throw new ApiException(422, "Invalid", "PodLogOptions \"" + name + "\" is invalid: "
                    + (invalid.size() == 1 ? invalid.get(0) : "[" + String.join(", ", invalid) + "]"), details);
        }
        String nodeName = Json.text(pod.path("spec"), "nodeName");
        if (nodeName.isEmpty()) {
            // upstream: a pod without a host has no logs yet, and that is an empty answer, not an error
            response.setStatus(200);
            response.getHeaders().put("Content-Type", "text/plain");
            callback.succeeded();
            return;
        }
        URI location = kubeletUri(nodeName, "/containerLogs/" + ns + "/" + name + "/" + container, params);
        UpgradeAwareProxy.forward(request, response, callback, location, kubelets,
                (code, body) -> backendError(code, body, name));
    }

    /** Upstream's GenericHttpResponseChecker: the kubelet's error text in a Status of its code. */
    private static ApiException backendError(int code, String body, String podName) {
        return switch (code) {
            case 400 -> ApiException.badRequest(body);
            case 500 -> ApiException.internal(body);
            case 404 -> {
                ObjectNode details = Json.object();
                details.put("name", podName);
                details.put("kind", "pods");
                yield new ApiException(404, "NotFound", body, details);
            }
            case 403 -> new ApiException(403, "Forbidden", body, null);
            case 401 -> new ApiException(401, "Unauthorized", body, null);
            case 503 -> new ApiException(503, "ServiceUnavailable", body, null);
            default -> new ApiException(code, "", body, null);
        };
    }

    // ---------------------------------------------------------------- exec, attach, portforward

    private void stream(Request request, Response response, Callback callback, String ns, String name, String sub,
                        Fields q) {
        requireGetOrPost(request);
        ObjectNode pod = pods.get(ns, name, "");
        String container = validateContainer(pod, value(q, "container"));
        String nodeName = requireHost(pod, name);
        List<String> params = new ArrayList<>();
        // PodExecOptions/PodAttachOptions as upstream's streamParams passes them to the kubelet
        if (bool(q, "stdin")) {
            params.add("input=1");
        }
        if (bool(q, "stdout")) {
            params.add("output=1");
        }
        if (bool(q, "stderr")) {
            params.add("error=1");
        }
        if (bool(q, "tty")) {
            params.add("tty=1");
        }
        if (sub.equals("exec")) {
            List<String> command = q.getValues("command");
            if (command != null) {
                command.forEach(c -> params.add("command=" + encode(c)));
            }
        }
        String kubeletPath = "/" + sub + "/" + ns + "/" + name + "/" + container;
        UpgradeAwareProxy.upgrade(request, response, callback, kubeletUri(nodeName, kubeletPath, params), kubelets);
    }

    private void portForward(Request request, Response response, Callback callback, String ns, String name,
                             Fields q) {
        requireGetOrPost(request);
        ObjectNode pod = pods.get(ns, name, "");
        String nodeName = requireHost(pod, name);
        List<String> params = new ArrayList<>();
        List<String> ports = q.getValues("ports");
        if (ports != null && !ports.isEmpty()) {
            List<String> all = new ArrayList<>();
            for (String p : ports) {
                for (String one : p.split(",")) {
                    int port = parsePort(one.strip());
                    all.add(Integer.toString(port));
                }
            }
            params.add("port=" + encode(String.join(",", all)));
        }
        URI location = kubeletUri(nodeName, "/portForward/" + ns + "/" + name, params);
        UpgradeAwareProxy.upgrade(request, response, callback, location, kubelets);
    }

    private static int parsePort(String port) {
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw ApiException.badRequest("port " + p + " must be in the range 1-65535");
            }
            return p;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("unable to parse port " + port);
        }
    }

    /** A proxy target's "name", "name:port" or "scheme:name:port", as upstream's SplitSchemeNamePort. */
    private record SchemeNamePort(String scheme, String name, String port) {
        static SchemeNamePort split(String id, String kind, String defaultScheme) {
            String[] parts = id.split(":", -1);
            return switch (parts.length) {
                case 1 -> new SchemeNamePort(defaultScheme, parts[0], "");
                case 2 -> new SchemeNamePort(defaultScheme, parts[0], parts[1]);
                case 3 -> new SchemeNamePort(parts[0], parts[1], parts[2]);
                default -> throw ApiException.badRequest("invalid " + kind + " request \"" + id + "\"");
            };
        }
    }

    // ---------------------------------------------------------------- proxies

    private void podProxy(Request request, Response response, Callback callback, String ns, String id,
                          String proxyPath) {
        SchemeNamePort target = SchemeNamePort.split(id, "pod", "http");
        String scheme = target.scheme();
        String name = target.name();
        String port = target.port();
        if (name.isEmpty() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw ApiException.badRequest("invalid pod request \"" + id + "\"");
        }
        ObjectNode pod = pods.get(ns, name, "");
        if (port.isEmpty()) {
            for (JsonNode c : pod.path("spec").path("containers")) {
                JsonNode first = c.path("ports").path(0);
                if (first.has("containerPort")) {
                    port = first.path("containerPort").asText();
                    break;
                }
            }
        }
        String ip = podIp(pod);
        if (!globalUnicast(ip)) {
            throw ApiException.badRequest("address not allowed");
        }
        String host = ip.contains(":") ? "[" + ip + "]" : ip;
        URI location = URI.create(scheme + "://" + host + (port.isEmpty() ? "" : ":" + port)
                + joinPath("", proxyPath) + query(request));
        proxy(request, response, callback, location);
    }

    private void nodeProxy(Request request, Response response, Callback callback, String id, String proxyPath) {
        SchemeNamePort target = SchemeNamePort.split(id, "node", "");
        String scheme = target.scheme();
        String name = target.name();
        String port = target.port();
        ObjectNode node = nodes.get("", name, "");
        int kubeletPort = kubeletPort(node);
        URI base;
        if (port.isEmpty() || port.equals(Integer.toString(kubeletPort))) {
            base = URI.create((scheme.isEmpty() ? "https" : scheme) + "://" + hostPort(nodeAddress(node), kubeletPort));
        } else {
            base = URI.create((scheme.isEmpty() ? "http" : scheme) + "://" + hostPort(nodeAddress(node),
                    parsePort(port)));
        }
        proxy(request, response, callback, URI.create(base + joinPath("", proxyPath) + query(request)));
    }

    /**
     * services/proxy as upstream's service registry locates it: the named (or numbered) service port, a random
     * subset of the service's Endpoints that has it, and a random address there whose target pod has that IP.
     */
    private void serviceProxy(Request request, Response response, Callback callback, String ns, String id,
                              String proxyPath) {
        SchemeNamePort target = SchemeNamePort.split(id, "service", "http");
        String scheme = target.scheme();
        String name = target.name();
        String port = target.port();
        if (name.isEmpty() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw ApiException.badRequest("invalid service request \"" + id + "\"");
        }
        if (!port.isEmpty() && port.chars().allMatch(Character::isDigit)) {
            ObjectNode service = services.get(ns, name, "");
            String portName = null;
            for (JsonNode p : service.path("spec").path("ports")) {
                if (p.path("port").asText().equals(port)) {
                    portName = p.path("name").asText("");
                    break;
                }
            }
            if (portName == null) {
                throw new ApiException(503, "ServiceUnavailable", "no service port " + port + " found for service \""
                        + name + "\"", null);
            }
            port = portName;
        }
        ObjectNode eps = endpoints.get(ns, name, "");
        JsonNode subsets = eps.path("subsets");
        if (subsets.isEmpty()) {
            throw new ApiException(503, "ServiceUnavailable", "no endpoints available for service \"" + name + "\"",
                    null);
        }
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        int subsetSeed = random.nextInt(subsets.size());
        for (int si = 0; si < subsets.size(); si++) {
            JsonNode subset = subsets.path((subsetSeed + si) % subsets.size());
            JsonNode addresses = subset.path("addresses");
            if (addresses.isEmpty()) {
                continue;
            }
            for (JsonNode p : subset.path("ports")) {
                if (!p.path("name").asText("").equals(port)) {
                    continue;
                }
                int addressSeed = random.nextInt(addresses.size());
                for (int ai = 0; ai < addresses.size(); ai++) {
                    JsonNode address = addresses.path((addressSeed + ai) % addresses.size());
                    String ip = address.path("ip").asText();
                    if (!targetPodHasIp(ns, address, ip)) {
                        continue;
                    }
                    String host = ip.contains(":") ? "[" + ip + "]" : ip;
                    proxy(request, response, callback, URI.create(scheme + "://" + host + ":"
                            + p.path("port").asInt() + joinPath("", proxyPath) + query(request)));
                    return;
                }
            }
        }
        throw new ApiException(503, "ServiceUnavailable", "no endpoints available for service \"" + id + "\"", null);
    }

    /** Upstream's isValidAddress: the address names a pod of the namespace that has this IP. */
    private boolean targetPodHasIp(String ns, JsonNode address, String ip) {
        JsonNode ref = address.path("targetRef");
        if (!ref.path("kind").asText("Pod").equals("Pod") || ref.path("name").asText("").isEmpty()
                || !ref.path("namespace").asText(ns).equals(ns)) {
            return false;
        }
        try {
            ObjectNode pod = pods.get(ns, ref.path("name").asText(), "");
            for (JsonNode podIp : pod.path("status").path("podIPs")) {
                if (podIp.path("ip").asText().equals(ip)) {
                    return true;
                }
            }
            return false;
        } catch (ApiException e) {
            return false;
        }
    }

    private void proxy(Request request, Response response, Callback callback, URI location) {
        if (UpgradeAwareProxy.isUpgrade(request)) {
            UpgradeAwareProxy.upgrade(request, response, callback, location, kubelets);
        } else {
            UpgradeAwareProxy.forward(request, response, callback, location, kubelets, null);
        }
    }

    // ---------------------------------------------------------------- locations

    private URI kubeletUri(String nodeName, String path, List<String> params) {
        ObjectNode node = nodes.get("", nodeName, "");
        String encodedPath = encodePath(path);
        String query = params.isEmpty() ? "" : "?" + String.join("&", params);
        return URI.create("https://" + hostPort(nodeAddress(node), kubeletPort(node)) + encodedPath + query);
    }

    static int kubeletPort(ObjectNode node) {
        int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
        return port > 0 ? port : DEFAULT_KUBELET_PORT;
    }

    /** The node's first address of the preferred types (upstream's GetPreferredNodeAddress). */
    static String nodeAddress(ObjectNode node) {
        JsonNode addresses = node.path("status").path("addresses");
        for (String type : PREFERRED_ADDRESS_TYPES) {
            for (JsonNode a : addresses) {
                if (type.equals(a.path("type").asText()) && !a.path("address").asText().isEmpty()) {
                    return a.path("address").asText();
                }
            }
        }
        List<String> known = new ArrayList<>();
        for (JsonNode a : addresses) {
            known.add("{" + a.path("type").asText() + " " + a.path("address").asText() + "}");
        }
        throw ApiException.internal("no preferred addresses found; known addresses: [" + String.join(" ", known) + "]");
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static String requireHost(ObjectNode pod, String name) {
        String nodeName = Json.text(pod.path("spec"), "nodeName");
        if (nodeName.isEmpty()) {
            throw ApiException.badRequest("pod " + name + " does not have a host assigned");
        }
        return nodeName;
    }

    /** Upstream's validateContainer: a given name must be one of the pod's; none is fine for one container. */
    static String validateContainer(ObjectNode pod, String container) {
        String podName = Json.name(pod);
        JsonNode spec = pod.path("spec");
        if (container.isEmpty()) {
            JsonNode containers = spec.path("containers");
            if (containers.size() == 1) {
                return containers.path(0).path("name").asText();
            }
            if (containers.isEmpty()) {
                throw ApiException.badRequest("a container name must be specified for pod " + podName);
            }
            throw ApiException.badRequest("a container name must be specified for pod " + podName
                    + ", choose one of: [" + String.join(" ", allContainerNames(spec)) + "]");
        }
        if (!allContainerNames(spec).contains(container)) {
            throw ApiException.badRequest("container " + container + " is not valid for pod " + podName);
        }
        return container;
    }

    /** Init containers, containers and ephemeral containers, in upstream's VisitContainers order. */
    private static List<String> allContainerNames(JsonNode spec) {
        List<String> names = new ArrayList<>();
        for (String field : List.of("initContainers", "containers", "ephemeralContainers")) {
            for (JsonNode c : spec.path(field)) {
                names.add(c.path("name").asText());
            }
        }
        return names;
    }

    private static String podIp(ObjectNode pod) {
        JsonNode ips = pod.path("status").path("podIPs");
        if (ips.size() > 0) {
            return ips.path(0).path("ip").asText();
        }
        return Json.text(pod.path("status"), "podIP");
    }

    /** Go's IP.IsGlobalUnicast: not unspecified, loopback, multicast, link-local or broadcast. */
    private static boolean globalUnicast(String ip) {
        if (ip.isEmpty() || !(ip.indexOf(':') >= 0 || ip.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch)))) {
            return false;
        }
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(ip);
            return !(a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isMulticastAddress()
                    || a.isLinkLocalAddress() || ip.equals("255.255.255.255"));
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static void requireGetOrPost(Request request) {
        String m = request.getMethod();
        if (!m.equals("GET") && !m.equals("POST")) {
            throw ApiException.methodNotAllowed();
        }
    }

    private static String joinPath(String base, String tail) {
        if (tail == null || tail.isEmpty()) {
            return base.isEmpty() ? "/" : base;
        }
        return base + (tail.startsWith("/") ? tail : "/" + tail);
    }

    private static String query(Request request) {
        String raw = request.getHttpURI().getQuery();
        return raw == null || raw.isEmpty() ? "" : "?" + raw;
    }

    private static String encodePath(String path) {
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/", -1)) {
            if (!out.isEmpty() || !segment.isEmpty()) {
                out.append('/');
            }
            out.append(encode(segment).replace("+", "%20"));
        }
        return out.toString().replaceFirst("^//", "/");
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String value(Fields q, String name) {
        String v = q.getValue(name);
        return v == null ? "" : v;
    }

    /** Go's strconv.ParseBool, as query parameters of options objects are decoded. */
    private static boolean bool(Fields q, String name) {
        String v = q.getValue(name);
        if (v == null || v.isEmpty()) {
            return false;
        }
        return switch (v) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw ApiException.badRequest("invalid value for " + name + ": " + v.toLowerCase(Locale.ROOT));
        };
    }

    private static Long number(Fields q, String name) {
        String v = q.getValue(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("strconv.ParseInt: parsing \"" + v + "\": invalid syntax");
        }
    }
}

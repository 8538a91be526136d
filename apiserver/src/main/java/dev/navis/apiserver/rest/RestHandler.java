package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.RequestInfo;
import dev.navis.apiserver.auth.UserInfo;
import dev.navis.apiserver.openapi.UnknownFieldChecker;
import dev.navis.apiserver.rest.discovery.Discovery;
import dev.navis.apiserver.rest.metrics.ResourceMetrics;
import dev.navis.apiserver.rest.review.Reviews;
import dev.navis.apiserver.rest.proto.ProtobufBodies;
import dev.navis.apiserver.rest.watch.CacheWatcher;
import dev.navis.apiserver.rest.watch.WatchCache;
import dev.navis.apiserver.rest.watch.WatchStream;
import dev.navis.apiserver.rest.watch.WebSocketWatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The HTTP side of the REST API: routes /api and /apis requests to discovery and the resources' verbs. */
final class RestHandler extends Handler.Abstract {
    private static final Logger LOG = Logger.getLogger(RestHandler.class.getName());
    private static final int MAX_BODY = 3 * 1024 * 1024;

    private final ResourceIndex index;
    private final Map<ResourceDefinition, RestStorage> storages;
    private final Discovery discovery;
    private final NamespaceLifecycle namespaces;
    private final RestApi.Options options;
    private final Reviews reviews;
    private final UnknownFieldChecker fieldChecker;
    private final StreamingSubresources streaming;
    private final ResourceMetrics resourceMetrics;

    /** @param resourceMetrics what answers metrics.k8s.io, or null when the group is not served */
    RestHandler(ResourceIndex index, Map<ResourceDefinition, RestStorage> storages, NamespaceLifecycle namespaces,
                RestApi.Options options, Reviews reviews, UnknownFieldChecker fieldChecker,
                ResourceMetrics resourceMetrics) {
        this.index = index;
        this.resourceMetrics = resourceMetrics;
        this.storages = storages;
        this.reviews = reviews;
        this.fieldChecker = fieldChecker;
        this.discovery = new Discovery(index, d -> Reviews.isReview(d) ? List.of("create")
                : ResourceMetrics.isMetrics(d) ? ResourceMetrics.verbs()
                : isNamespaces(d) ? Discovery.allVerbs().stream().filter(v -> !v.equals("deletecollection")).toList()
                : Discovery.allVerbs());
        this.namespaces = namespaces;
        this.options = options;
        ResourceDefinition podDef = index.find("", "v1", "pods");
        ResourceDefinition nodeDef = index.find("", "v1", "nodes");
        ResourceDefinition serviceDef = index.find("", "v1", "services");
        ResourceDefinition endpointsDef = index.find("", "v1", "endpoints");
        this.streaming = new StreamingSubresources(podDef == null ? null : storages.get(podDef),
                nodeDef == null ? null : storages.get(nodeDef), serviceDef == null ? null : storages.get(serviceDef),
                endpointsDef == null ? null : storages.get(endpointsDef));
    }

    /** What serves serviceaccounts/token (null until the API server has its service-account key). */
    private volatile TokenRequests tokenRequests;

    /** Serves serviceaccounts/token with tokens signed by {@code tokens} for {@code audiences} by default. */
    void useServiceAccountTokens(dev.navis.apiserver.auth.ServiceAccountTokens tokens, List<String> audiences) {
        ResourceDefinition sa = index.find("", "v1", "serviceaccounts");
        ResourceDefinition pods = index.find("", "v1", "pods");
        ResourceDefinition secrets = index.find("", "v1", "secrets");
        if (sa == null || pods == null || secrets == null) {
            return;
        }
        ResourceDefinition nodes = index.find("", "v1", "nodes");
        tokenRequests = new TokenRequests(tokens, audiences, storages.get(sa), storages.get(pods), storages.get(secrets),
                nodes == null ? null : storages.get(nodes), java.time.Clock.systemUTC());
    }

    /** How pods/log, exec, attach, portforward and the proxies reach kubelets. */
    void useKubeletClient(dev.navis.apiserver.proxy.KubeletClient client) {
        streaming.useKubeletClient(client);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        if (path == null || !(path.equals("/api") || path.startsWith("/api/") || path.equals("/apis")
                || path.startsWith("/apis/"))) {
            return false;
        }
        try {
            ApiPath p = ApiPath.parse(path);
            if (p == null) {
                throw ApiException.pathNotFound();
            }
            Fields query = Request.extractQueryParameters(request);
            if (p.kind() != ApiPath.Kind.RESOURCE) {
                serveDiscovery(request, response, callback, p);
            } else {
                serveResource(request, response, callback, p, query);
            }
        } catch (ApiException e) {
            drain(request);
            sendStatus(response, callback, e);
        } catch (ClassCastException e) {
            // a field of the wrong JSON type reached code that expects the kind's schema: the body was invalid
            drain(request);
            sendStatus(response, callback, ApiException.badRequest("the object does not match the schema of its kind: "
                    + e.getMessage()));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request " + request.getMethod() + " " + path + " failed", e);
            drain(request);
            sendStatus(response, callback, ApiException.internal(String.valueOf(e.getMessage())));
        }
        return true;
    }

    // ---------------------------------------------------------------- discovery

    private void serveDiscovery(Request request, Response response, Callback callback, ApiPath p) {
        if (!request.getMethod().equals("GET")) {
            throw ApiException.methodNotAllowed();
        }
        boolean root = p.kind() == ApiPath.Kind.API_ROOT || p.kind() == ApiPath.Kind.APIS_ROOT;
        Negotiation neg = Negotiation.of(request.getHeaders().get(HttpHeader.ACCEPT), root);
        ObjectNode body = switch (p.kind()) {
            case API_ROOT -> switch (neg.output()) {
                case DISCOVERY_V2 -> discovery.aggregated(true, "v2");
                case DISCOVERY_V2BETA1 -> discovery.aggregated(true, "v2beta1");
                default -> discovery.apiVersions();
            };
            case APIS_ROOT -> switch (neg.output()) {
                case DISCOVERY_V2 -> discovery.aggregated(false, "v2");
                case DISCOVERY_V2BETA1 -> discovery.aggregated(false, "v2beta1");
                default -> discovery.apiGroupList();
            };
            case GROUP -> discovery.apiGroup(p.group());
            case GROUP_VERSION -> discovery.resourceList(p.group(), p.version());
            default -> null;
        };
        if (body == null) {
            throw ApiException.pathNotFound();
        }
        String type = switch (neg.output()) {
            case DISCOVERY_V2, DISCOVERY_V2BETA1, YAML -> neg.contentType();
            default -> Negotiation.JSON;
        };
        send(response, callback, 200, type, body);
    }

    // ---------------------------------------------------------------- resources

    private void serveResource(Request request, Response response, Callback callback, ApiPath p, Fields q) {
        ResourceDefinition def = index.find(p.group(), p.version(), p.resource());
        if (def == null) {
            throw ApiException.pathNotFound();
        }
        if (!def.namespaced() && !p.namespace().isEmpty()) {
            throw ApiException.pathNotFound();
        }
        String sub = p.subresource();
        if (!sub.isEmpty() && !def.subresources().contains(sub)) {
            throw ApiException.pathNotFound();
        }
        if (Reviews.isReview(def)) {
            if (!request.getMethod().equals("POST") || !p.name().isEmpty()) {
                throw ApiException.methodNotAllowed();
            }
            UserInfo user = request.getAttribute(UserInfo.ATTRIBUTE) instanceof UserInfo u ? u : null;
            send(response, callback, 201, Negotiation.JSON, reviews.answer(def, readObject(request), user));
            return;
        }
        if (ResourceMetrics.isMetrics(def) && resourceMetrics != null) {
            serveResourceMetrics(request, response, callback, def, p, q);
            return;
        }
        RestStorage rs = storages.get(def);
        String method = request.getMethod();
        String ns = p.namespace();
        String name = p.name();
        boolean watch = p.legacyWatch() || RequestInfo.isTrue(q.getValue("watch"));
        boolean dryRun = dryRun(q);
        Negotiation neg = Negotiation.of(request.getHeaders().get(HttpHeader.ACCEPT), false);

        if (name.isEmpty()) {
            if (def.namespaced() && ns.isEmpty() && !method.equals("GET")) {
                throw ApiException.pathNotFound();
            }
            switch (method) {
                case "GET" -> {
                    if (watch) {
                        serveWatch(request, response, callback, rs, ns, "", q, neg);
                    } else {
                        serveList(response, callback, rs, ns, q, neg);
                    }
                }
                case "POST" -> {
                    FieldPruning pruning = FieldPruning.of(fieldChecker, q.getValue("fieldValidation"), "CreateOptions");
                    BodyObject read = readBodyObject(request);
                    ObjectNode body = pruning.apply(def, read.object(), read.json());
                    if (CertificateSigningRequests.is(def)) {
                        CertificateSigningRequests.stampRequester(body,
                                request.getAttribute(UserInfo.ATTRIBUTE) instanceof UserInfo u ? u : null);
                    }
                    ObjectNode created = rs.create(ns, body, dryRun);
                    warn(response, pruning);
                    sendWritten(response, callback, 201, neg, rs, created, q, dryRun);
                }
                case "DELETE" -> {
                    if (isNamespaces(def)) {
                        throw ApiException.methodNotAllowed(); // upstream's namespace storage has no deletecollection
                    }
                    ObjectNode body = readOptionalObject(request);
                    DeleteOptions opts = DeleteOptions.of(body, q.getValue("gracePeriodSeconds"),
                            q.getValue("propagationPolicy"), dryRun);
                    List<ObjectNode> deleted = rs.deleteCollection(ns, listOptions(rs.definition(), q), opts);
                    RestStorage.Page page = new RestStorage.Page(deleted, rs.storage().store().currentRevision(), "", -1);
                    send(response, callback, 200, Negotiation.JSON, listBody(rs, page));
                }
                default -> throw ApiException.methodNotAllowed();
            }
            return;
        }
        if (def.namespaced() && ns.isEmpty()) {
            throw ApiException.pathNotFound();
        }
        if (watch && method.equals("GET")) {
            serveWatch(request, response, callback, rs, ns, name, q, neg);
            return;
        }
        if (StreamingSubresources.handles(def.plural(), sub) && def.group().isEmpty()) {
            streaming.serve(request, response, callback, def.plural(), ns, name, sub,
                    sub.equals("proxy") ? p.proxyPath(request.getHttpURI().getPath()) : "", q);
            return;
        }
        switch (sub) {
            case "" -> serveObject(request, response, callback, rs, ns, name, q, neg, dryRun, "");
            case "status" -> serveObject(request, response, callback, rs, ns, name, q, neg, dryRun, "status");
            case RestStorage.EPHEMERAL_CONTAINERS ->
                    serveObject(request, response, callback, rs, ns, name, q, neg, dryRun, RestStorage.EPHEMERAL_CONTAINERS);
            case "approval" -> serveObject(request, response, callback, rs, ns, name, q, neg, dryRun, "approval");
            case "finalize" -> {
                if (!method.equals("PUT")) {
                    throw ApiException.methodNotAllowed();
                }
                ObjectNode updated = rs.update(ns, name, readObject(request), dryRun, "finalize");
                sendObject(response, callback, 200, neg, rs, updated, q);
            }
            case "scale" -> {
                ObjectNode scale = switch (method) {
                    case "GET" -> Subresources.getScale(rs, ns, name);
                    case "PUT" -> Subresources.updateScale(rs, ns, name, readScale(request), dryRun);
                    case "PATCH" -> Subresources.patchScale(rs, ns, name, patchType(request), readBody(request), dryRun);
                    default -> throw ApiException.methodNotAllowed();
                };
                send(response, callback, 200, Negotiation.JSON, scale);
            }
            case "binding" -> {
                if (!method.equals("POST")) {
                    throw ApiException.methodNotAllowed();
                }
                ObjectNode binding = readObject(request);
                send(response, callback, 201, Negotiation.JSON, Subresources.bind(rs, ns, name, binding));
            }
            case "token" -> {
                if (!method.equals("POST")) {
                    throw ApiException.methodNotAllowed();
                }
                TokenRequests tokens = tokenRequests;
                if (tokens == null) {
                    throw ApiException.pathNotFound();
                }
                send(response, callback, 201, Negotiation.JSON, tokens.create(ns, name, readObject(request)));
            }
            case "eviction" -> {
                if (!method.equals("POST")) {
                    throw ApiException.methodNotAllowed();
                }
                ObjectNode eviction = readObject(request);
                ResourceDefinition pdbDef = index.find("policy", "v1", "poddisruptionbudgets");
                RestStorage pdbs = pdbDef == null ? null : storages.get(pdbDef);
                send(response, callback, 201, Negotiation.JSON,
                        Subresources.evict(rs, pdbs, ns, name, eviction, dryRun));
            }
            default -> throw ApiException.pathNotFound();
        }
    }

    private void serveObject(Request request, Response response, Callback callback, RestStorage rs, String ns,
                             String name, Fields q, Negotiation neg, boolean dryRun, String sub) {
        switch (request.getMethod()) {
            case "GET" -> {
                if (neg.output() == Negotiation.Output.JSON) {
                    sendJson(response, callback, 200, rs.getJson(ns, name, valueOr(q, "resourceVersion", "")));
                    return;
                }
                // only serialized: no copy of the cached object
                ObjectNode o = rs.getReadOnly(ns, name, valueOr(q, "resourceVersion", ""));
                sendObject(response, callback, 200, neg, rs, o, q);
            }
            case "PUT" -> {
                FieldPruning pruning = FieldPruning.of(fieldChecker, q.getValue("fieldValidation"), "UpdateOptions");
                BodyObject read = readBodyObject(request);
                ObjectNode body = pruning.apply(rs.definition(), read.object(), read.json());
                if (sub.isEmpty()) {
                    RestStorage.Written w = rs.updateOrCreate(ns, name, body, dryRun);
                    warn(response, pruning);
                    sendWritten(response, callback, w.created() ? 201 : 200, neg, rs, w.object(), q, dryRun);
                } else {
                    ObjectNode updated = rs.update(ns, name, body, dryRun, sub);
                    warn(response, pruning);
                    sendWritten(response, callback, 200, neg, rs, updated, q, dryRun);
                }
            }
            case "PATCH" -> {
                FieldPruning pruning = FieldPruning.of(fieldChecker, q.getValue("fieldValidation"), "PatchOptions");
                String type = patchType(request);
                if (type.equals(RestStorage.STRATEGIC_MERGE_PATCH) && CustomResourceServing.isCustom(rs.definition())) {
                    throw unsupportedPatch(); // upstream: custom resources have no strategic merge keys
                }
                ObjectNode patched = rs.patch(ns, name, type, readBody(request), dryRun, sub,
                        (o, written) -> pruning.apply(rs.definition(), o, written), valueOr(q, "fieldManager", ""),
                        RequestInfo.isTrue(q.getValue("force")));
                warn(response, pruning);
                sendWritten(response, callback, 200, neg, rs, patched, q, dryRun);
            }
            case "DELETE" -> {
                if (!sub.isEmpty()) {
                    throw ApiException.methodNotAllowed();
                }
                ObjectNode body = readOptionalObject(request);
                DeleteOptions opts = DeleteOptions.of(body, q.getValue("gracePeriodSeconds"),
                        q.getValue("propagationPolicy"), dryRun);
                RestStorage.Deleted d = isNamespaces(rs.definition()) ? namespaces.delete(name, opts)
                        : rs.delete(ns, name, opts);
                if (d.removed() && !returnsDeletedObject(rs.definition())) {
                    ObjectNode status = Subresources.successStatus(0);
                    status.remove("code");
                    ObjectNode details = status.putObject("details");
                    details.put("name", name);
                    if (!rs.definition().group().isEmpty()) {
                        details.put("group", rs.definition().group());
                    }
                    details.put("kind", rs.definition().plural());
                    details.put("uid", Json.text(d.object().path("metadata"), "uid"));
                    send(response, callback, 200, Negotiation.JSON, status);
                } else {
                    sendObject(response, callback, 200, neg, rs, d.object(), q);
                }
            }
            default -> throw ApiException.methodNotAllowed();
        }
    }

    /** Upstream's Warning headers (299) of a request's dropped unknown fields; kubectl prints them. */
    private static void warn(Response response, FieldPruning pruning) {
        for (String w : pruning.warnings()) {
            response.getHeaders().add(HttpHeader.WARNING, UnknownFieldChecker.warningHeaderValue(w));
        }
    }

    private static boolean isNamespaces(ResourceDefinition def) {
        return def.group().isEmpty() && def.plural().equals("namespaces");
    }

    /** Upstream's ReturnDeletedObject: these kinds answer a delete with the object, the others with a Status. */
    private static boolean returnsDeletedObject(ResourceDefinition def) {
        return switch (def.groupResource()) {
            case "pods", "services", "namespaces", "customresourcedefinitions.apiextensions.k8s.io" -> true;
            default -> false;
        };
    }

    /** metrics.k8s.io: get and list only, answered from the scraped usage. */
    private void serveResourceMetrics(Request request, Response response, Callback callback, ResourceDefinition def,
                                      ApiPath p, Fields q) {
        if (!request.getMethod().equals("GET") || RequestInfo.isTrue(q.getValue("watch")) || p.legacyWatch()) {
            throw ApiException.methodNotAllowed();
        }
        if (def.namespaced() && p.namespace().isEmpty() && !p.name().isEmpty()) {
            throw ApiException.pathNotFound();
        }
        Negotiation neg = Negotiation.of(request.getHeaders().get(HttpHeader.ACCEPT), false);
        ObjectNode body = p.name().isEmpty()
                ? resourceMetrics.list(def, p.namespace(), valueOr(q, "labelSelector", ""), valueOr(q, "fieldSelector", ""))
                : resourceMetrics.get(def, p.namespace(), p.name());
        if (neg.output() == Negotiation.Output.TABLE) {
            List<ObjectNode> items = new java.util.ArrayList<>();
            if (p.name().isEmpty()) {
                body.path("items").forEach(i -> items.add((ObjectNode) i));
            } else {
                items.add(body);
            }
            send(response, callback, 200, neg.contentType(), Tables.table(def, items,
                    Tables.includeObject(q.getValue("includeObject")), true, Json.object(), tableVersion(neg)));
            return;
        }
        send(response, callback, 200, Negotiation.JSON, body);
    }

    private void serveList(Response response, Callback callback, RestStorage rs, String ns, Fields q,
                           Negotiation neg) {
        RestStorage.Page page = rs.listReadOnly(ns, listOptions(rs.definition(), q));
        if (neg.output() == Negotiation.Output.JSON) {
            sendChunks(response, callback, 200, rs.listJson(page, listMeta(page)));
            return;
        }
        ObjectNode body = switch (neg.output()) {
            case TABLE -> Tables.table(rs.definition(), page.items(), Tables.includeObject(q.getValue("includeObject")),
                    true, listMeta(page), tableVersion(neg));
            case PARTIAL_METADATA -> Tables.partialList(page.items(), listMeta(page));
            default -> listBody(rs, page);
        };
        send(response, callback, 200, neg.contentType(), body);
    }

    private ObjectNode listBody(RestStorage rs, RestStorage.Page page) {
        ObjectNode list = Json.object();
        list.put("kind", rs.definition().kind() + "List");
        list.put("apiVersion", rs.definition().apiVersion());
        list.set("metadata", listMeta(page));
        ArrayNode items = list.putArray("items");
        page.items().forEach(items::add);
        return list;
    }

    private static ObjectNode listMeta(RestStorage.Page page) {
        ObjectNode meta = Json.object();
        meta.put("resourceVersion", Long.toString(page.revision()));
        if (!page.continueToken().isEmpty()) {
            meta.put("continue", page.continueToken());
            if (page.remaining() >= 0) {
                meta.put("remainingItemCount", page.remaining());
            }
        }
        return meta;
    }

    private static String tableVersion(Negotiation neg) {
        return neg.contentType().contains("v=v1beta1") ? "v1beta1" : "v1";
    }

    private ListOptions listOptions(ResourceDefinition def, Fields q) {
        ObjectFilter filter = ObjectFilter.of(def, valueOr(q, "labelSelector", ""), valueOr(q, "fieldSelector", ""));
        long limit = 0;
        String l = q.getValue("limit");
        if (l != null && !l.isEmpty()) {
            try {
                limit = Math.max(0, Long.parseLong(l));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid limit: " + l);
            }
        }
        return new ListOptions(filter, limit, valueOr(q, "continue", ""), valueOr(q, "resourceVersion", ""),
                valueOr(q, "resourceVersionMatch", ""));
    }

    // ---------------------------------------------------------------- watch

    private void serveWatch(Request request, Response response, Callback callback, RestStorage rs, String ns,
                            String name, Fields q, Negotiation neg) {
        ResourceDefinition def = rs.definition();
        String fieldSelector = valueOr(q, "fieldSelector", "");
        if (!name.isEmpty()) {
            fieldSelector = fieldSelector.isEmpty() ? "metadata.name=" + name : fieldSelector + ",metadata.name=" + name;
        }
        if (def.namespaced() && !ns.isEmpty()) {
            fieldSelector = fieldSelector.isEmpty() ? "metadata.namespace=" + ns
                    : fieldSelector + ",metadata.namespace=" + ns;
        }
        ObjectFilter filter = ObjectFilter.of(def, valueOr(q, "labelSelector", ""), fieldSelector);
        String rv = valueOr(q, "resourceVersion", "");
        String sendInitial = q.getValue("sendInitialEvents"); // null when absent: the default depends on rv
        boolean bookmarks = RequestInfo.isTrue(q.getValue("allowWatchBookmarks"));
        long timeoutMillis = 0;
        String ts = q.getValue("timeoutSeconds");
        if (ts != null && !ts.isEmpty()) {
            try {
                timeoutMillis = Math.max(0, Long.parseLong(ts)) * 1000L;
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid timeoutSeconds: " + ts);
            }
        }
        if (timeoutMillis == 0) {
            // unset or 0: upstream's default of a random time between minRequestTimeout and twice that
            long min = options.minRequestTimeoutSeconds();
            timeoutMillis = (min + ThreadLocalRandom.current().nextLong(min + 1)) * 1000L;
        }
        boolean initial = sendInitial == null ? (rv.isEmpty() || rv.equals("0")) : RequestInfo.isTrue(sendInitial);
        long from = rv.isEmpty() ? 0 : RestStorage.parseResourceVersion(rv);
        WatchCache cache = rs.storage().cache();
        if (!cache.ready()) {
            throw new ApiException(503, "ServiceUnavailable", "the watch cache of " + def.groupResource()
                    + " is not ready yet", null);
        }
        boolean websocket = WebSocketWatch.requested(request);
        if (!websocket) {
            response.setStatus(200);
            String contentType = switch (neg.output()) {
                case TABLE, PARTIAL_METADATA -> neg.contentType();
                default -> Negotiation.JSON;
            };
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        }
        CacheWatcher watcher;
        try {
            if (initial && (rv.isEmpty() || (!rv.equals("0") && cache.revision() < from))) {
                // a consistent initial state (rv unset, or newer than the cache): read from the store, then follow
                watcher = cache.watchFrom(rs.readConsistent(ns));
            } else {
                watcher = initial ? cache.watch(0, true) : cache.watch(from, false);
            }
        } catch (WatchCache.TooOldException e) {
            ObjectNode status = ApiException.expired(e.getMessage()).toStatus();
            if (websocket && upgradeToWebSocket(request, response, callback,
                    out -> WatchStream.write(out, "ERROR", status), () -> { })) {
                return;
            }
            try {
                OutputStream out = Content.Sink.asOutputStream(response);
                WatchStream.write(out, "ERROR", status);
                out.close();
                callback.succeeded();
            } catch (IOException io) {
                callback.failed(io);
            }
            return;
        }
        String includeObject = Tables.includeObject(q.getValue("includeObject"));
        WatchStream.Renderer renderer = (obj, first) -> switch (neg.output()) {
            case TABLE -> {
                ObjectNode meta = Json.object();
                meta.put("resourceVersion", Json.text(obj.path("metadata"), "resourceVersion"));
                yield Tables.table(def, List.of(rs.typed(obj)), includeObject, first, meta, tableVersion(neg));
            }
            case PARTIAL_METADATA -> Tables.partial(obj);
            default -> rs.typed(obj);
        };
        ObjectNode template = Json.object();
        template.put("kind", def.kind());
        template.put("apiVersion", def.apiVersion());
        boolean plain = neg.output() != Negotiation.Output.TABLE;
        WatchStream stream = new WatchStream(watcher, filter, renderer, template, bookmarks && plain,
                options.bookmarkIntervalMillis(), timeoutMillis);
        if (RequestInfo.isTrue(sendInitial) && bookmarks) {
            stream.withInitialEventsEnd();
        }
        if (neg.output() != Negotiation.Output.TABLE && neg.output() != Negotiation.Output.PARTIAL_METADATA) {
            // the full object as rs serves it: the same bytes for every such watcher, and for GETs of that version
            stream.withSharedOutput(rs, rs::servedJsonOf);
        }
        if (websocket && upgradeToWebSocket(request, response, callback, stream::run, stream::stop)) {
            return;
        }
        stream.coalescing();
        request.addFailureListener(t -> stream.stop());
        request.addIdleTimeoutListener(t -> false);
        Thread.ofVirtual().name("watch-" + def.plural()).start(() -> {
            OutputStream out = Content.Sink.asOutputStream(response);
            try {
                // commit the headers now: clients (fabric8's informer) wait for them before any event comes
                org.eclipse.jetty.util.FutureCallback committed = new org.eclipse.jetty.util.FutureCallback();
                response.write(false, org.eclipse.jetty.util.BufferUtil.EMPTY_BUFFER, committed);
                committed.block();
                stream.run(out);
                out.close();
                callback.succeeded();
            } catch (IOException | RuntimeException e) {
                watcher.close();
                callback.failed(e);
            }
        });
    }

    /** Serves a watch over WebSocket; false when the upgrade was refused and the request is still to answer. */
    private static boolean upgradeToWebSocket(Request request, Response response, Callback callback,
                                              WebSocketWatch.Body body, Runnable stop) {
        try {
            return WebSocketWatch.upgrade(request, response, callback, body, stop);
        } catch (Exception e) {
            throw new ApiException(400, "BadRequest", "cannot upgrade the watch to a WebSocket: " + e.getMessage(), null);
        }
    }

    // ---------------------------------------------------------------- bodies

    /** Reads what is left of a refused request's body, so the connection stays usable for the next request. */
    private static void drain(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0 && (total += n) <= 4L * MAX_BODY) {
                // discard
            }
        } catch (IOException | RuntimeException e) {
            // the connection will be closed instead
        }
    }

    private static byte[] readBody(Request request) {
        long length = request.getLength();
        if (length > MAX_BODY) {
            throw ApiException.tooLarge();
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            // a declared length reads into one array of that size instead of growing chunk by chunk
            byte[] body = in.readNBytes(length >= 0 ? (int) length : MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw ApiException.tooLarge();
            }
            return body;
        } catch (IOException e) {
            throw ApiException.badRequest("reading the request body failed: " + e.getMessage());
        }
    }

    private static ObjectNode readObject(Request request) {
        return readBodyObject(request).object();
    }

    /** A decoded request body; {@code json} holds the raw bytes when the body was JSON (for duplicate-field checks). */
    private record BodyObject(ObjectNode object, byte[] json) {
    }

    private static BodyObject readBodyObject(Request request) {
        String ct = mediaType(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
        boolean yaml;
        switch (ct) {
            case "", "application/json", "*/*" -> yaml = false;
            case "application/yaml", "application/x-yaml", "text/yaml" -> yaml = true;
            case ProtobufBodies.MEDIA_TYPE -> {
                return new BodyObject(ProtobufBodies.decode(readBody(request)), null);
            }
            default -> throw ApiException.unsupportedMediaType(ct);
        }
        byte[] body = readBody(request);
        if (body.length == 0) {
            throw ApiException.badRequest("the request body is empty");
        }
        return new BodyObject(Json.parseBody(body, yaml), yaml ? null : body);
    }

    private static ObjectNode readOptionalObject(Request request) {
        byte[] body = readBody(request);
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        String ct = mediaType(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
        if (ct.equals(ProtobufBodies.MEDIA_TYPE)) {
            return ProtobufBodies.decode(body);
        }
        return Json.parseBody(body, ct.contains("yaml"));
    }

    private static ObjectNode readScale(Request request) {
        ObjectNode s = readObject(request);
        String kind = Json.text(s, "kind");
        if (!kind.isEmpty() && !kind.equals("Scale")) {
            throw ApiException.badRequest("the kind in the data (" + kind + ") does not match the expected kind (Scale)");
        }
        return s;
    }

    private static String patchType(Request request) {
        String ct = mediaType(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
        return switch (ct) {
            case RestStorage.JSON_PATCH, RestStorage.MERGE_PATCH, RestStorage.STRATEGIC_MERGE_PATCH,
                 RestStorage.APPLY_PATCH -> ct;
            case "application/apply-patch+json" -> RestStorage.APPLY_PATCH;
            default -> throw unsupportedPatch();
        };
    }

    private static ApiException unsupportedPatch() {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown "
                + "format - accepted media types include: application/json-patch+json, application/merge-patch+json, "
                + "application/apply-patch+yaml", null);
    }

    private static String mediaType(String header) {
        if (header == null) {
            return "";
        }
        int semi = header.indexOf(';');
        return (semi < 0 ? header : header.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    // ---------------------------------------------------------------- answers

    private void sendObject(Response response, Callback callback, int code, Negotiation neg, RestStorage rs,
                            ObjectNode object, Fields q) {
        switch (neg.output()) {
            case TABLE -> {
                ObjectNode meta = Json.object();
                meta.put("resourceVersion", Json.text(object.path("metadata"), "resourceVersion"));
                send(response, callback, code, neg.contentType(), Tables.table(rs.definition(), List.of(object),
                        Tables.includeObject(q.getValue("includeObject")), true, meta, tableVersion(neg)));
            }
            case PARTIAL_METADATA -> send(response, callback, code, neg.contentType(), Tables.partial(object));
            case YAML -> send(response, callback, code, neg.contentType(), object);
            default -> send(response, callback, code, Negotiation.JSON, object);
        }
    }

    /**
     * The answer of a write: for JSON, the new version's encoding goes to the memo that later GETs, LISTs and
     * watch events of that version answer from (a dry run's object is never stored: not memoized).
     */
    private void sendWritten(Response response, Callback callback, int code, Negotiation neg, RestStorage rs,
                             ObjectNode written, Fields q, boolean dryRun) {
        if (neg.output() == Negotiation.Output.JSON && !dryRun) {
            sendJson(response, callback, code, rs.servedJson(written));
        } else {
            sendObject(response, callback, code, neg, rs, written, q);
        }
    }

    private static void sendStatus(Response response, Callback callback, ApiException e) {
        send(response, callback, e.code(), Negotiation.JSON, e.toStatus());
    }

    private static void send(Response response, Callback callback, int code, String contentType, ObjectNode body) {
        byte[] bytes = contentType.equals("application/yaml") ? Json.YAML.writeValueAsBytes(body) : Json.bytes(body);
        sendBytes(response, callback, code, contentType, bytes);
    }

    private static void sendJson(Response response, Callback callback, int code, byte[] json) {
        sendBytes(response, callback, code, Negotiation.JSON, json);
    }

    /** A JSON answer in chunks ({@link ByteChunks}), each written once the previous one has gone out. */
    private static void sendChunks(Response response, Callback callback, int code, List<byte[]> chunks) {
        long length = 0;
        for (byte[] c : chunks) {
            length += c.length;
        }
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Negotiation.JSON);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, private");
        int last = chunks.size() - 1;
        try {
            for (int i = 0; i < last; i++) {
                org.eclipse.jetty.util.FutureCallback written = new org.eclipse.jetty.util.FutureCallback();
                response.write(false, ByteBuffer.wrap(chunks.get(i)), written);
                written.block();
            }
        } catch (IOException e) {
            callback.failed(e);
            return;
        }
        response.write(true, last < 0 ? ByteBuffer.allocate(0) : ByteBuffer.wrap(chunks.get(last)), callback);
    }

    private static void sendBytes(Response response, Callback callback, int code, String contentType, byte[] bytes) {
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache, private");
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private static boolean dryRun(Fields q) {
        List<String> values = q.getValues("dryRun");
        if (values == null || values.isEmpty()) {
            return false;
        }
        for (String v : values) {
            if (!v.equals("All")) {
                throw ApiException.badRequest("dryRun: Unsupported value: \"" + v + "\": supported values: \"All\"");
            }
        }
        return true;
    }

    private static String valueOr(Fields q, String name, String dflt) {
        String v = q.getValue(name);
        return v == null ? dflt : v;
    }
}

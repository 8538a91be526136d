package dev.navis.client.rest;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.ListOptions;
import dev.navis.client.ObjectList;
import dev.navis.client.PatchType;
import dev.navis.client.ResourceClient;
import dev.navis.client.ResourceRef;
import dev.navis.client.Watch;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import tools.jackson.databind.JsonNode;

/** {@link ResourceClient} over HTTP: builds upstream's REST paths and decodes typed objects. */
final class RestResourceClient<T extends HasMetadata> implements ResourceClient<T> {

    private static final String JSON = "application/json";
    private static final long HEADERS_TIMEOUT_SECONDS = 60;

    private final HttpTransport transport;
    private final ResourceRef<T> ref;
    private final String namespace;

    RestResourceClient(HttpTransport transport, ResourceRef<T> ref, String namespace) {
        this.transport = transport;
        this.ref = ref;
        this.namespace = ref.namespaced() ? namespace : null;
    }

    @Override
    public ResourceRef<T> ref() {
        return ref;
    }

    @Override
    public String namespace() {
        return namespace;
    }

    @Override
    public ResourceClient<T> namespace(String ns) {
        return new RestResourceClient<>(transport, ref, ns);
    }

    @Override
    public T get(String name) {
        return Json.read(transport.send("GET", itemPath(namespace, name, null), null, null), ref.type());
    }

    @Override
    public ObjectList<T> list(ListOptions options) {
        byte[] body = transport.send("GET", ref.collectionPath(namespace) + query(options, false), null, null);
        JsonNode node = Json.MAPPER.readTree(body);
        List<T> items = new ArrayList<>();
        for (JsonNode item : node.path("items")) {
            items.add(Json.convert(item, ref.type()));
        }
        JsonNode meta = node.path("metadata");
        return new ObjectList<>(items, meta.path("resourceVersion").asString(""), meta.path("continue").asString(""));
    }

    @Override
    public T create(T object) {
        String ns = namespaceOf(object);
        return Json.read(transport.send("POST", ref.collectionPath(ns), JSON, body(object)),
                ref.type());
    }

    @Override
    public ObjectMeta createReadingMetadata(T object) {
        return Json.readMetadata(transport.send("POST", ref.collectionPath(namespaceOf(object)), JSON, body(object)));
    }

    @Override
    public T update(T object) {
        return put(object, null);
    }

    @Override
    public T updateStatus(T object) {
        return put(object, "status");
    }

    private T put(T object, String subresource) {
        String path = itemPath(namespaceOf(object), object.getMetadata().getName(), subresource);
        return Json.read(transport.send("PUT", path, JSON, body(object)), ref.type());
    }

    @Override
    public T patch(String name, PatchType type, String patch) {
        return Json.read(transport.send("PATCH", itemPath(namespace, name, null), type.contentType,
                patch.getBytes(StandardCharsets.UTF_8)), ref.type());
    }

    @Override
    public T patchStatus(String name, PatchType type, String patch) {
        return Json.read(transport.send("PATCH", itemPath(namespace, name, "status"), type.contentType,
                patch.getBytes(StandardCharsets.UTF_8)), ref.type());
    }

    @Override
    public ObjectMeta patchStatusReadingMetadata(String name, PatchType type, String patch) {
        return Json.readMetadata(transport.send("PATCH", itemPath(namespace, name, "status"), type.contentType,
                patch.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void delete(String name, DeleteOptions options) {
        byte[] body = options == null ? null : Json.write(options);
        transport.send("DELETE", itemPath(namespace, name, null), body == null ? null : JSON, body);
    }

    @Override
    public <R> R getSubresource(String name, String subresource, Class<R> resultType) {
        return Json.read(transport.send("GET", itemPath(namespace, name, subresource), null, null), resultType);
    }

    @Override
    public <R> R updateSubresource(String name, String subresource, Object body, Class<R> resultType) {
        return Json.read(transport.send("PUT", itemPath(namespace, name, subresource), JSON, Json.write(body)),
                resultType);
    }

    @Override
    public <R> R createSubresource(String name, String subresource, Object body, Class<R> resultType) {
        return Json.read(transport.send("POST", itemPath(namespace, name, subresource), JSON, Json.write(body)),
                resultType);
    }

    @Override
    public Watch<T> watch(ListOptions options) {
        transport.acquireToken();
        Request req = transport.request("GET", ref.collectionPath(namespace) + query(options, true));
        InputStreamResponseListener listener = new InputStreamResponseListener();
        req.send(listener);
        try {
            // the headers of a watch come at once; the body may then stay open for minutes
            Response response = listener.get(HEADERS_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (response.getStatus() != 200) {
                byte[] error;
                try (InputStream in = listener.getInputStream()) {
                    error = in.readAllBytes();
                }
                throw HttpStatuses.toException(response.getStatus(), error);
            }
            return new WatchStream<>(ref.type(), req, listener.getInputStream());
        } catch (InterruptedException e) {
            req.abort(e);
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("watch interrupted"));
        } catch (TimeoutException e) {
            req.abort(e);
            throw new UncheckedIOException(new IOException("watch " + ref.groupResource()
                    + ": no response headers within " + HEADERS_TIMEOUT_SECONDS + " s"));
        } catch (ExecutionException | IOException e) {
            req.abort(e);
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof IOException) {
                transport.serverFailed(req.getURI());
            }
            throw new UncheckedIOException("watch " + ref.groupResource() + ": " + cause.getMessage(),
                    cause instanceof IOException io ? io : new IOException(cause));
        }
    }

    private String namespaceOf(T object) {
        if (!ref.namespaced()) {
            return null;
        }
        String objNs = object.getMetadata() == null ? null : object.getMetadata().getNamespace();
        if (namespace != null && objNs != null && !objNs.isEmpty() && !objNs.equals(namespace)) {
            throw new ApiException(ApiException.failure(400, "BadRequest",
                    "the namespace of the provided object does not match the namespace sent on the request",
                    null, null));
        }
        return namespace != null ? namespace : objNs;
    }

    private String itemPath(String ns, String name, String subresource) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("resource name may not be empty");
        }
        if (ref.namespaced() && (ns == null || ns.isEmpty())) {
            throw new IllegalArgumentException(ref.groupResource() + " \"" + name + "\": a namespace is required");
        }
        String path = ref.collectionPath(ns) + "/" + name;
        return subresource == null ? path : path + "/" + subresource;
    }

    /**
     * The object's JSON with apiVersion and kind filled in: fabric8 objects built by hand often lack them. The
     * missing ones are written in front of the object's own fields (the caller's object is not touched, and
     * no tree is built).
     */
    private byte[] body(T object) {
        byte[] json = Json.write(object);
        String prefix = (object.getApiVersion() == null ? "\"apiVersion\":" + quoted(ref.apiVersion()) + "," : "")
                + (object.getKind() == null ? "\"kind\":" + quoted(ref.kind()) + "," : "");
        if (prefix.isEmpty()) {
            return json;
        }
        boolean empty = json.length == 2; // "{}"
        byte[] head = prefix.substring(0, empty ? prefix.length() - 1 : prefix.length()).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[json.length + head.length];
        out[0] = '{';
        System.arraycopy(head, 0, out, 1, head.length);
        System.arraycopy(json, 1, out, 1 + head.length, json.length - 1);
        return out;
    }

    private static String quoted(String s) {
        return Json.writeString(s);
    }

    static String query(ListOptions o, boolean watch) {
        List<String> params = new ArrayList<>();
        if (watch) {
            params.add("watch=true");
        }
        add(params, "labelSelector", o.labelSelector());
        add(params, "fieldSelector", o.fieldSelector());
        add(params, "resourceVersion", o.resourceVersion());
        add(params, "resourceVersionMatch", o.resourceVersionMatch());
        if (o.limit() > 0) {
            params.add("limit=" + o.limit());
        }
        add(params, "continue", o.continueToken());
        if (o.timeoutSeconds() != null) {
            params.add("timeoutSeconds=" + o.timeoutSeconds());
        }
        if (o.allowWatchBookmarks()) {
            params.add("allowWatchBookmarks=true");
        }
        return params.isEmpty() ? "" : "?" + String.join("&", params);
    }

    private static void add(List<String> params, String key, String value) {
        if (value != null && !value.isEmpty()) {
            params.add(key + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}

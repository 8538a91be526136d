package dev.navis.client.fake;

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
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** One resource of the {@link FakeKubeClient}: records the action, runs reactors, then the store. */
final class FakeResourceClient<T extends HasMetadata> implements ResourceClient<T> {

    private final FakeKubeClient fake;
    private final ResourceRef<T> ref;
    private final String namespace;

    FakeResourceClient(FakeKubeClient fake, ResourceRef<T> ref, String namespace) {
        this.fake = fake;
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
        return new FakeResourceClient<>(fake, ref, ns);
    }

    private Action action(String verb, String subresource, String ns, String name, Object object, String patch) {
        return new Action(verb, ref.group(), ref.plural(), subresource, ns, name,
                object == null ? null : Json.deepCopy(object), patch);
    }

    @SuppressWarnings("unchecked")
    private <R> R reacted(Action a, Class<R> type) {
        Object r = fake.react(a);
        if (r == null) {
            return null;
        }
        if (type.isInstance(r)) {
            return (R) r;
        }
        return Json.convert(Json.tree(r), type);
    }

    private T typed(ObjectNode node) {
        return Json.convert(node, ref.type());
    }

    @Override
    public T get(String name) {
        Action a = action("get", null, namespace, name, null, null);
        T r = reacted(a, ref.type());
        return r != null ? r : typed(fake.getObject(ref, namespace, name));
    }

    @Override
    @SuppressWarnings("unchecked")
    public ObjectList<T> list(ListOptions options) {
        Action a = action("list", null, namespace, null, null, null);
        Object r = fake.react(a);
        if (r instanceof ObjectList<?> l) {
            return (ObjectList<T>) l;
        }
        ObjectList<ObjectNode> raw = fake.listObjects(ref, namespace, options);
        List<T> items = raw.items().stream().map(this::typed).toList();
        return new ObjectList<>(items, raw.resourceVersion(), raw.continueToken());
    }

    @Override
    public T create(T object) {
        String ns = FakeKubeClient.namespaceOf(ref, object, namespace);
        Action a = action("create", null, ns, object.getMetadata() == null ? null : object.getMetadata().getName(),
                object, null);
        T r = reacted(a, ref.type());
        return r != null ? r : typed(fake.createObject(ref, ns, object));
    }

    @Override
    public T update(T object) {
        return put(object, false);
    }

    @Override
    public T updateStatus(T object) {
        return put(object, true);
    }

    private T put(T object, boolean status) {
        String ns = FakeKubeClient.namespaceOf(ref, object, namespace);
        Action a = action("update", status ? "status" : null, ns, object.getMetadata().getName(), object, null);
        T r = reacted(a, ref.type());
        return r != null ? r : typed(fake.updateObject(ref, ns, object, status));
    }

    @Override
    public T patch(String name, PatchType type, String patch) {
        Action a = action("patch", null, namespace, name, null, patch);
        T r = reacted(a, ref.type());
        return r != null ? r : typed(fake.patchObject(ref, namespace, name, type, patch, false));
    }

    @Override
    public T patchStatus(String name, PatchType type, String patch) {
        Action a = action("patch", "status", namespace, name, null, patch);
        T r = reacted(a, ref.type());
        return r != null ? r : typed(fake.patchObject(ref, namespace, name, type, patch, true));
    }

    @Override
    public void delete(String name, DeleteOptions options) {
        Action a = action("delete", null, namespace, name, options, null);
        if (fake.react(a) == null) {
            fake.deleteObject(ref, namespace, name, options);
        }
    }

    /** The scale subresource of a stored object with spec.replicas (as upstream's ScaleREST); others refuse. */
    @Override
    public <R> R getSubresource(String name, String subresource, Class<R> resultType) {
        Action a = action("get", subresource, namespace, name, null, null);
        R r = reacted(a, resultType);
        if (r != null) {
            return r;
        }
        if (!subresource.equals("scale")) {
            throw new UnsupportedOperationException("fake has no " + subresource);
        }
        return Json.convert(toScale(fake.getObject(ref, namespace, name)), resultType);
    }

    @Override
    public <R> R updateSubresource(String name, String subresource, Object body, Class<R> resultType) {
        Action a = action("update", subresource, namespace, name, body, null);
        R r = reacted(a, resultType);
        if (r != null) {
            return r;
        }
        if (subresource.equals("approval")) {
            // certificatesigningrequests/approval: only status.conditions change (as upstream's approval strategy)
            ObjectNode current = fake.getObject(ref, namespace, name).deepCopy();
            ObjectNode status = current.has("status") && current.get("status").isObject()
                    ? (ObjectNode) current.get("status") : current.putObject("status");
            status.set("conditions", Json.tree(body).path("status").path("conditions").deepCopy());
            return Json.convert(fake.updateObject(ref, namespace, current, true), resultType);
        }
        if (!subresource.equals("scale")) {
            throw new UnsupportedOperationException("fake has no " + subresource);
        }
        ObjectNode current = fake.getObject(ref, namespace, name).deepCopy();
        ((ObjectNode) current.path("spec")).put("replicas", Json.tree(body).path("spec").path("replicas").asInt());
        return Json.convert(toScale(fake.updateObject(ref, namespace, current, false)), resultType);
    }

    private static ObjectNode toScale(ObjectNode obj) {
        ObjectNode scale = (ObjectNode) Json.tree(java.util.Map.of("apiVersion", "autoscaling/v1", "kind", "Scale"));
        ObjectNode meta = scale.putObject("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (obj.path("metadata").has(f)) {
                meta.set(f, obj.path("metadata").get(f));
            }
        }
        scale.putObject("spec").put("replicas", obj.path("spec").path("replicas").asInt(1));
        ObjectNode status = scale.putObject("status");
        status.put("replicas", obj.path("status").path("replicas").asInt(0));
        StringBuilder selector = new StringBuilder();
        obj.path("spec").path("selector").path("matchLabels").properties().stream()
                .sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> selector
                        .append(selector.isEmpty() ? "" : ",").append(e.getKey()).append('=').append(e.getValue().asString()));
        status.put("selector", selector.toString());
        return scale;
    }

    @Override
    public <R> R createSubresource(String name, String subresource, Object body, Class<R> resultType) {
        Action a = action("create", subresource, namespace, name, body, null);
        R r = reacted(a, resultType);
        if (r != null) {
            return r;
        }
        if (ref.type() == Pod.class && subresource.equals("binding")) {
            Status s = fake.bindPod(ref, namespace, name, Json.tree(body));
            return Json.convert(Json.tree(s), resultType);
        }
        if (ref.type() == Pod.class && subresource.equals("eviction")) {
            fake.deleteObject(ref, namespace, name, null);
            Status s = new io.fabric8.kubernetes.api.model.StatusBuilder().withApiVersion("v1").withKind("Status")
                    .withStatus("Success").withCode(201).build();
            return Json.convert(Json.tree(s), resultType);
        }
        throw new ApiException(ApiException.failure(404, "NotFound",
                "the server could not find the requested resource", ref, name));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Watch<T> watch(ListOptions options) {
        Action a = action("watch", null, namespace, null, null, null);
        Object r = fake.react(a);
        if (r instanceof Watch<?> w) {
            return (Watch<T>) w;
        }
        return fake.watch(ref, namespace, options, ref.type());
    }
}

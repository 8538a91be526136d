package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apimachinery.apiextensions.CustomResourceStrategy;

import dev.navis.api.selector.LabelSelector;
import dev.navis.api.selector.SelectorException;
import dev.navis.storage.ConflictException;
import dev.navis.storage.KeyValue;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The scale, binding and eviction subresources, like upstream's ScaleREST, BindingREST and EvictionREST. */
public final class Subresources {
    private Subresources() {
    }

    // ---------------------------------------------------------------- scale

    public static ObjectNode getScale(RestStorage rs, String namespace, String name) {
        return toScale(rs.definition(), rs.get(namespace, name, ""));
    }

    /** The paths of a custom resource's scale subresource, or null for built-in kinds (spec/status.replicas). */
    private static CustomResourceStrategy.ScalePaths customScale(ResourceDefinition def) {
        return def.strategy() instanceof CustomResourceStrategy c ? c.scale() : null;
    }

    static ObjectNode toScale(ResourceDefinition def, ObjectNode obj) {
        CustomResourceStrategy.ScalePaths custom = customScale(def);
        if (custom != null) {
            ObjectNode s = toScale(Json.object());
            s.set("metadata", toScale(obj).get("metadata"));
            ((ObjectNode) s.get("spec")).put("replicas", at(obj, custom.specReplicas()).asInt(0));
            ObjectNode status = (ObjectNode) s.get("status");
            status.put("replicas", at(obj, custom.statusReplicas()).asInt(0));
            if (!custom.labelSelector().isEmpty() && at(obj, custom.labelSelector()).isString()) {
                status.put("selector", at(obj, custom.labelSelector()).asString());
            }
            return s;
        }
        return toScale(obj);
    }

    /** The value at a dotted path such as {@code .spec.replicas} (missing: a missing node). */
    private static JsonNode at(JsonNode obj, String path) {
        JsonNode n = obj;
        for (String part : path.split("\\.")) {
            if (!part.isEmpty()) {
                n = n.path(part);
            }
        }
        return n;
    }

    /** Sets the value at a dotted path, creating the objects on the way. */
    private static void setAt(ObjectNode obj, String path, int value) {
        String[] parts = path.replaceFirst("^\\.", "").split("\\.");
        ObjectNode n = obj;
        for (int i = 0; i < parts.length - 1; i++) {
            n = n.get(parts[i]) instanceof ObjectNode o ? o : n.putObject(parts[i]);
        }
        n.put(parts[parts.length - 1], value);
    }

    static ObjectNode toScale(ObjectNode obj) {
        ObjectNode s = Json.object();
        s.put("kind", "Scale");
        s.put("apiVersion", "autoscaling/v1");
        ObjectNode meta = s.putObject("metadata");
        JsonNode m = obj.path("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (m.has(f)) {
                meta.set(f, m.get(f));
            }
        }
        s.putObject("spec").put("replicas", obj.path("spec").path("replicas").asInt(0));
        ObjectNode status = s.putObject("status");
        status.put("replicas", obj.path("status").path("replicas").asInt(0));
        String selector = selectorString(obj.path("spec").path("selector"));
        if (!selector.isEmpty()) {
            status.put("selector", selector);
        }
        return s;
    }

    /** A metav1.LabelSelector (or a plain map, as ReplicationController has) as a selector string. */
    static String selectorString(JsonNode selector) {
        if (selector == null || !selector.isObject()) {
            return "";
        }
        try {
            if (selector.has("matchLabels") || selector.has("matchExpressions")) {
                return LabelSelector.fromObject(selector).toString();
            }
            Map<String, String> labels = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : selector.properties()) {
                labels.put(e.getKey(), e.getValue().asString(""));
            }
            return LabelSelector.fromMap(labels).toString();
        } catch (SelectorException e) {
            return "";
        }
    }

    public static ObjectNode updateScale(RestStorage rs, String namespace, String name, ObjectNode scale,
                                         boolean dryRun) {
        JsonNode replicas = scale.path("spec").get("replicas");
        if (replicas != null && (!replicas.isIntegralNumber() || replicas.asLong() < 0)) {
            throw new ApiException(422, "Invalid", "Scale.autoscaling \"" + name
                    + "\" is invalid: spec.replicas: Invalid value: " + replicas + ": must be greater than or equal to 0",
                    null);
        }
        String rv = Json.text(scale.path("metadata"), "resourceVersion");
        ObjectNode current = rs.get(namespace, name, "");
        if (!rv.isEmpty() && !rv.equals(Json.text(current.path("metadata"), "resourceVersion"))) {
            throw ApiException.modified(rs.definition(), name);
        }
        CustomResourceStrategy.ScalePaths custom = customScale(rs.definition());
        setAt(current, custom == null ? ".spec.replicas" : custom.specReplicas(), replicas == null ? 0 : replicas.asInt());
        if (rv.isEmpty()) {
            Json.meta(current).remove("resourceVersion");
        }
        return toScale(rs.definition(), rs.update(namespace, name, current, dryRun, ""));
    }

    public static ObjectNode patchScale(RestStorage rs, String namespace, String name, String patchType, byte[] body,
                                        boolean dryRun) {
        ObjectNode current = getScale(rs, namespace, name);
        JsonNode patch;
        try {
            patch = Json.MAPPER.readTree(body);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("error decoding patch: " + e.getMessage());
        }
        JsonNode patched = RestStorage.applyPatch(patchType, current, patch, "Scale");
        if (!(patched instanceof ObjectNode p)) {
            throw ApiException.badRequest("the patch did not produce an object");
        }
        return updateScale(rs, namespace, name, p, dryRun);
    }

    // ---------------------------------------------------------------- binding

    /**
     * POST pods/binding: assigns the pod to target.name, once. The write goes as a create's does: the pod is
     * encoded once, its tree handed to the watch cache (which then need not parse the MODIFIED event's bytes) and
     * its served JSON remembered (which the watchers' lines and later GETs take instead of encoding the tree).
     */
    public static ObjectNode bind(RestStorage pods, String namespace, String podName, ObjectNode binding) {
        String node = Json.text(binding.path("target"), "name");
        if (node.isEmpty()) {
            throw new ApiException(422, "Invalid", "Binding \"" + podName
                    + "\" is invalid: target.name: Required value", null);
        }
        ObjectStorage storage = pods.storage();
        for (int i = 0; i < 16; i++) {
            KeyValue kv = storage.read(namespace, podName);
            if (kv == null) {
                throw ApiException.notFound(pods.definition(), podName);
            }
            // the stored form: no resourceVersion, so encoding it needs no copy without one
            ObjectNode pod = Json.parseStored(kv.value());
            if (pod.path("metadata").has("deletionTimestamp")) {
                throw ApiException.conflict("pods/binding", podName, "pod " + podName
                        + " is being deleted, cannot be assigned to a host");
            }
            String current = Json.text(pod.path("spec"), "nodeName");
            if (!current.isEmpty()) {
                throw ApiException.conflict("pods/binding", podName, "pod " + podName
                        + " is already assigned to node \"" + current + "\"");
            }
            assign(pod, node, binding.path("metadata").path("annotations"));
            ObjectStorage.Encoding encoding = ObjectStorage.encodeOnce(pod);
            Object offered = storage.offerWrite(kv.key(), encoding.stored(), pod, true); // not touched after this
            long revision;
            try {
                revision = storage.store().update(kv.key(), kv.modRevision(), encoding.stored(), 0);
            } catch (ConflictException e) {
                storage.withdrawWrite(kv.key(), offered);
                continue; // changed meanwhile: check again
            } catch (RuntimeException e) {
                storage.withdrawWrite(kv.key(), offered);
                throw e;
            }
            pods.rememberServed(kv.key(), Long.toString(revision), encoding);
            return successStatus(201);
        }
        throw ApiException.modified(pods.definition(), podName);
    }

    /** Sets spec.nodeName, the binding's annotations and PodScheduled=True on a pod. */
    private static void assign(ObjectNode pod, String node, JsonNode annotations) {
        ObjectNode spec = pod.has("spec") && pod.get("spec").isObject()
                ? (ObjectNode) pod.get("spec") : pod.putObject("spec");
        spec.put("nodeName", node);
        if (annotations.isObject() && !annotations.isEmpty()) {
            ObjectNode meta = Json.meta(pod);
            ObjectNode podAnn = meta.has("annotations") && meta.get("annotations").isObject()
                    ? (ObjectNode) meta.get("annotations") : meta.putObject("annotations");
            podAnn.setAll((ObjectNode) annotations);
        }
        ObjectNode status = pod.has("status") && pod.get("status").isObject()
                ? (ObjectNode) pod.get("status") : pod.putObject("status");
        ArrayNode conditions = status.has("conditions") && status.get("conditions").isArray()
                ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
        ObjectNode scheduled = null;
        for (JsonNode c : conditions) {
            if ("PodScheduled".equals(Json.text(c, "type"))) {
                scheduled = (ObjectNode) c;
            }
        }
        if (scheduled == null) {
            scheduled = conditions.addObject();
            scheduled.put("type", "PodScheduled");
        }
        scheduled.put("status", "True");
        scheduled.putNull("lastProbeTime");
        scheduled.put("lastTransitionTime", Json.now());
    }

    // ---------------------------------------------------------------- eviction

    /**
     * POST pods/eviction: deletes the pod with the eviction's deleteOptions, if the PodDisruptionBudget that
     * selects it allows a disruption (which it then uses up), like upstream's EvictionREST.
     *
     * @param pdbs the policy/v1 poddisruptionbudgets storage, or null when not served
     */
    public static ObjectNode evict(RestStorage pods, RestStorage pdbs, String namespace, String podName,
                                   ObjectNode eviction, boolean dryRun) {
        String bodyName = Json.name(eviction);
        if (!bodyName.isEmpty() && !bodyName.equals(podName)) {
            throw ApiException.badRequest("name in URL does not match name in Eviction object");
        }
        JsonNode opts = eviction.path("deleteOptions");
        DeleteOptions options = DeleteOptions.of(opts.isObject() ? (ObjectNode) opts : null, null, null, dryRun);
        ObjectNode pod = pods.get(namespace, podName, "");
        String phase = Json.text(pod.path("status"), "phase");
        boolean ignoresBudgets = pod.path("metadata").has("deletionTimestamp") || phase.equals("Succeeded")
                || phase.equals("Failed") || phase.equals("Pending");
        if (pdbs != null && !ignoresBudgets) {
            useDisruptionRetryingConflicts(pdbs, namespace, pod, dryRun);
        }
        pods.delete(namespace, podName, options);
        return successStatus(201);
    }

    /** Evictions that race for one budget (kubectl drain evicts in parallel): the loser re-reads and tries again. */
    private static final int EVICTION_ATTEMPTS = 20;

    private static void useDisruptionRetryingConflicts(RestStorage pdbs, String namespace, ObjectNode pod, boolean dryRun) {
        for (int attempt = 1; ; attempt++) {
            try {
                useDisruption(pdbs, namespace, pod, dryRun);
                return;
            } catch (ApiException e) {
                if (e.code() != 409 || attempt >= EVICTION_ATTEMPTS) {
                    throw e;
                }
            }
            try {
                Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(5, 25L * attempt));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new ApiException(500, "InternalError", "interrupted while retrying an eviction", null);
            }
        }
    }

    private static void useDisruption(RestStorage pdbs, String namespace, ObjectNode pod, boolean dryRun) {
        List<ObjectNode> matching = new java.util.ArrayList<>();
        for (ObjectNode pdb : pdbs.list(namespace, new ListOptions(ObjectFilter.everything(pdbs.definition()), 0, "", "",
                "")).items()) {
            try {
                LabelSelector selector = LabelSelector.fromObject(pdb.path("spec").get("selector"));
                if (!selector.isNothing() && !selector.isEmpty() && selector.matchesObject(pod)) {
                    matching.add(pdb);
                }
            } catch (SelectorException e) {
                // a budget with a broken selector selects nothing
            }
        }
        if (matching.isEmpty()) {
            return;
        }
        if (matching.size() > 1) {
            throw new ApiException(500, "InternalError", "This pod has more than one PodDisruptionBudget, which the "
                    + "eviction subresource does not support.", null);
        }
        ObjectNode pdb = matching.get(0);
        JsonNode status = pdb.path("status");
        String name = Json.name(pdb);
        if (status.path("observedGeneration").asLong(0) < pdb.path("metadata").path("generation").asLong(0)) {
            throw tooManyRequests("The disruption budget " + name + " is still being processed by the server.");
        }
        if (status.path("disruptionsAllowed").asInt(0) <= 0) {
            throw tooManyRequests("The disruption budget " + name + " needs " + status.path("desiredHealthy").asInt(0)
                    + " healthy pods and has " + status.path("currentHealthy").asInt(0) + " currently");
        }
        ObjectNode updated = pdb.deepCopy();
        ObjectNode st = (ObjectNode) updated.get("status");
        st.put("disruptionsAllowed", status.path("disruptionsAllowed").asInt() - 1);
        ObjectNode disrupted = st.has("disruptedPods") && st.get("disruptedPods").isObject()
                ? (ObjectNode) st.get("disruptedPods") : st.putObject("disruptedPods");
        disrupted.put(Json.name(pod), Json.now());
        // the budget's resourceVersion is the precondition: a concurrent eviction makes this one retry
        pdbs.update(namespace, name, updated, dryRun, "status");
    }

    private static ApiException tooManyRequests(String cause) {
        ObjectNode details = Json.object();
        ArrayNode causes = details.putArray("causes");
        ObjectNode c = causes.addObject();
        c.put("reason", "DisruptionBudget");
        c.put("message", cause);
        return new ApiException(429, "TooManyRequests",
                "Cannot evict pod as it would violate the pod's disruption budget.", details);
    }

    static ObjectNode successStatus(int code) {
        ObjectNode s = Json.object();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Success");
        s.put("code", code);
        return s;
    }

}

package dev.navis.apimachinery.strategy.core;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.api.quantity.Quantity;
import dev.navis.apimachinery.strategy.KindStrategy;
import dev.navis.apimachinery.strategy.SelectableFields;
import dev.navis.apimachinery.strategy.pod.PodSpecDefaults;
import dev.navis.apimachinery.strategy.pod.PodSpecValidation;
import dev.navis.apimachinery.strategy.pod.PodStatusCells;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.apimachinery.validation.ObjectMetaValidation;
import dev.navis.apimachinery.validation.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Pods (core/v1): defaults, validation incl. the update restrictions, the kubectl table and field selectors. */
public final class PodStrategy extends KindStrategy {

    static final String UPDATE_FORBIDDEN = "pod updates may not change fields other than `spec.containers[*].image`,"
            + "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
            + "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
            + "previously negative)";

    private static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME,
            TableColumn.of("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
            TableColumn.of("Status", "string", "The aggregate status of the containers in this pod."),
            TableColumn.of("Restarts", "string", "The number of times the containers in this pod have been restarted "
                    + "and when the last container in this pod has restarted."),
            TableColumn.AGE,
            TableColumn.wide("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster."),
            TableColumn.wide("Node", "string", "NodeName indicates in which node this pod is scheduled."),
            TableColumn.wide("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other "
                    + "pods on the node, but it cannot be scheduled right away as preemption victims receive their "
                    + "graceful termination periods."),
            TableColumn.wide("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod "
                    + "readiness. A pod is ready when all its containers are ready AND all conditions specified in "
                    + "the readiness gates have status equal to \"True\""));

    private static final Map<String, Function<JsonNode, String>> FIELDS = SelectableFields.builder()
            .path("spec.nodeName").path("spec.restartPolicy").path("spec.schedulerName")
            .path("spec.serviceAccountName").bool("spec.hostNetwork").path("status.phase")
            .computed("status.podIP", PodStrategy::podIp).path("status.nominatedNodeName").build();

    public PodStrategy() {
        super(true, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    public void applyDefaults(ObjectNode pod) {
        ObjectNode spec = Nodes.object(pod, "spec");
        if (spec == null) {
            return;
        }
        PodSpecDefaults.applyPodOnly(spec);
        PodSpecDefaults.apply(spec);
        ObjectNode status = Nodes.object(pod, "status");
        if (status != null) {
            Nodes.defaultText(status, "phase", "Pending");
            Nodes.defaultText(status, "qosClass", qosClass(spec));
        }
    }

    /** ValidatePodCreate: ephemeral containers are only added later, through the ephemeralcontainers subresource. */
    @Override
    public List<FieldError> validate(ObjectNode pod) {
        List<FieldError> errs = new ArrayList<>(super.validate(pod));
        if (!Nodes.list(pod, "spec", "ephemeralContainers").isEmpty()) {
            errs.add(FieldError.forbidden("spec.ephemeralContainers", "cannot be set on create"));
        }
        return errs;
    }

    /**
     * ValidatePodEphemeralContainersUpdate: the pod is validated as a whole (the new ephemeral containers with it),
     * static pods take none, and existing ephemeral containers stay as they are: matched by name, since a patch
     * need not keep their order.
     */
    @Override
    public List<FieldError> validateEphemeralContainersUpdate(ObjectNode pod, ObjectNode old) {
        List<FieldError> errs = new ArrayList<>(ObjectMetaValidation.validateUpdate(pod, old));
        errs.addAll(validateSpec(pod));
        if (Nodes.has(old.path("metadata").path("annotations"), MIRROR_ANNOTATION)) {
            return List.of(FieldError.forbidden("", "static pods do not support ephemeral containers"));
        }
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode c : Nodes.list(pod, "spec", "ephemeralContainers")) {
            byName.put(Nodes.text(c, "name"), c);
        }
        for (JsonNode was : Nodes.list(old, "spec", "ephemeralContainers")) {
            String name = Nodes.text(was, "name");
            JsonNode now = byName.get(name);
            if (now == null) {
                errs.add(FieldError.forbidden("spec.ephemeralContainers",
                        "existing ephemeral containers \"" + name + "\" may not be removed\n"));
            } else if (!Nodes.jsonEquals(was, now)) {
                errs.add(FieldError.forbidden("spec.ephemeralContainers." + name, "existing ephemeral containers \""
                        + name + "\" may not be changed\n" + SpecDiff.render("core.EphemeralContainer", was, now)));
            }
        }
        return errs;
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode pod) {
        return PodSpecValidation.validate(pod.path("spec"), Path.of("spec"));
    }

    @Override
    protected boolean statusOnly() {
        return true;
    }

    /**
     * ValidatePodStatusUpdate beyond the metadata: the node is bound only through the binding subresource, and a
     * new nominatedNodeName must be a node name. The spec is not validated again (the stored one is kept).
     */
    @Override
    protected List<FieldError> validateStatus(ObjectNode pod, ObjectNode old) {
        List<FieldError> errs = new ArrayList<>();
        String nodeName = Nodes.text(pod, "spec", "nodeName");
        if (!nodeName.equals(Nodes.text(old, "spec", "nodeName"))) {
            errs.add(FieldError.forbidden("status.nodeName", "may not be changed directly"));
        }
        String nominated = Nodes.text(pod, "status", "nominatedNodeName");
        if (!nominated.isEmpty() && !nominated.equals(Nodes.text(old, "status", "nominatedNodeName"))) {
            errs.addAll(Checks.dns1123Subdomain(nominated, Path.of("status").child("nominatedNodeName")));
        }
        return errs;
    }

    @Override
    protected List<FieldError> validateSpecUpdate(ObjectNode pod, ObjectNode old) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode newSpec = pod.path("spec");
        JsonNode oldSpec = old.path("spec");
        JsonNode newAds = newSpec.get("activeDeadlineSeconds");
        JsonNode oldAds = oldSpec.get("activeDeadlineSeconds");
        boolean adsOk = true;
        if (oldAds != null && oldAds.isNumber()) {
            if (newAds == null || newAds.isNull()) {
                errs.add(FieldError.invalid("spec.activeDeadlineSeconds", new dev.navis.apimachinery.validation.GoValue("nil"),
                        "must not update from a positive integer to nil value"));
                adsOk = false;
            } else if (newAds.asLong() > oldAds.asLong()) {
                errs.add(FieldError.invalid("spec.activeDeadlineSeconds", newAds.asLong(),
                        "must be less than or equal to previous value"));
                adsOk = false;
            }
        }
        ObjectNode munged = (ObjectNode) newSpec.deepCopy();
        copyImages(munged, oldSpec, "containers");
        copyImages(munged, oldSpec, "initContainers");
        if (adsOk) {
            copyField(munged, oldSpec, "activeDeadlineSeconds");
        }
        if (onlyAddedTolerations(newSpec, oldSpec)) {
            copyField(munged, oldSpec, "tolerations");
        }
        if (oldSpec.path("terminationGracePeriodSeconds").asLong(0) < 0
                && newSpec.path("terminationGracePeriodSeconds").asLong(0) == 1) {
            copyField(munged, oldSpec, "terminationGracePeriodSeconds");
        }
        if (!Nodes.jsonEquals(munged, oldSpec)) {
            errs.add(FieldError.forbidden("spec", UPDATE_FORBIDDEN + "\n" + SpecDiff.render("core.PodSpec", oldSpec, munged)));
        }
        return errs;
    }

    private static void copyImages(ObjectNode munged, JsonNode oldSpec, String list) {
        List<JsonNode> oldList = Nodes.list(oldSpec, list);
        List<ObjectNode> newList = Nodes.objects(munged, list);
        if (oldList.size() != newList.size()) {
            return;
        }
        for (int i = 0; i < newList.size(); i++) {
            JsonNode oldImage = oldList.get(i).get("image");
            if (oldImage == null) {
                newList.get(i).remove("image");
            } else {
                newList.get(i).set("image", oldImage.deepCopy());
            }
        }
    }

    private static void copyField(ObjectNode munged, JsonNode oldSpec, String field) {
        JsonNode v = oldSpec.get(field);
        if (v == null) {
            munged.remove(field);
        } else {
            munged.set(field, v.deepCopy());
        }
    }

    private static boolean onlyAddedTolerations(JsonNode newSpec, JsonNode oldSpec) {
        List<JsonNode> added = Nodes.list(newSpec, "tolerations");
        for (JsonNode t : Nodes.list(oldSpec, "tolerations")) {
            int idx = -1;
            for (int i = 0; i < added.size() && idx < 0; i++) {
                if (Nodes.jsonEquals(added.get(i), t)) {
                    idx = i;
                }
            }
            if (idx < 0) {
                return false;
            }
            added.remove(idx);
        }
        return true;
    }

    /** Upstream's qos.GetPodQOS over cpu and memory of all containers. */
    static String qosClass(JsonNode spec) {
        boolean any = false;
        boolean guaranteed = true;
        List<JsonNode> all = new ArrayList<>(Nodes.list(spec, "containers"));
        all.addAll(Nodes.list(spec, "initContainers"));
        for (JsonNode c : all) {
            for (String resource : List.of("cpu", "memory")) {
                Quantity req = nonZero(Nodes.text(c, "resources", "requests", resource));
                Quantity lim = nonZero(Nodes.text(c, "resources", "limits", resource));
                if (req != null || lim != null) {
                    any = true;
                }
                if (lim == null || (req != null && req.compareTo(lim) != 0)) {
                    guaranteed = false;
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    private static Quantity nonZero(String text) {
        Quantity q = text.isEmpty() ? null : Quantity.tryParse(text);
        return q == null || q.signum() == 0 ? null : q;
    }

    private static String podIp(JsonNode pod) {
        List<JsonNode> ips = Nodes.list(pod, "status", "podIPs");
        return ips.isEmpty() ? "" : Nodes.text(ips.get(0), "ip");
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode pod, Instant now) {
        List<String> status = PodStatusCells.compute(pod, now);
        String ip = podIp(pod);
        if (ip.isEmpty()) {
            ip = Nodes.text(pod, "status", "podIP");
        }
        String node = Nodes.text(pod, "spec", "nodeName");
        String nominated = Nodes.text(pod, "status", "nominatedNodeName");
        String gates = "<none>";
        List<JsonNode> readinessGates = Nodes.list(pod, "spec", "readinessGates");
        if (!readinessGates.isEmpty()) {
            int trueConditions = 0;
            for (JsonNode g : readinessGates) {
                for (JsonNode c : Nodes.list(pod, "status", "conditions")) {
                    if (Nodes.text(c, "type").equals(Nodes.text(g, "conditionType"))) {
                        if (Nodes.text(c, "status").equals("True")) {
                            trueConditions++;
                        }
                        break;
                    }
                }
            }
            gates = trueConditions + "/" + readinessGates.size();
        }
        return List.of(Nodes.text(pod, "metadata", "name"), status.get(0), status.get(1), status.get(2),
                TableColumn.age(pod, now), ip.isEmpty() ? "<none>" : ip, node.isEmpty() ? "<none>" : node,
                nominated.isEmpty() ? "<none>" : nominated, gates);
    }

    @Override
    public Map<String, Function<JsonNode, String>> selectableFields() {
        return FIELDS;
    }
}

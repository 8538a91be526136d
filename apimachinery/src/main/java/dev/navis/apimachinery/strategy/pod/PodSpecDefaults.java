package dev.navis.apimachinery.strategy.pod;

import static dev.navis.api.json.Nodes.defaultInt;
import static dev.navis.api.json.Nodes.defaultText;

import dev.navis.api.json.Nodes;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's SetDefaults_PodSpec, SetDefaults_Container and friends: the one place that defaults a pod spec,
 * used by Pods and by every workload's pod template.
 */
public final class PodSpecDefaults {

    private static final List<String> VOLUME_SOURCES = List.of("hostPath", "emptyDir", "gcePersistentDisk",
            "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd",
            "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume",
            "quobyte", "azureDisk", "photonPersistentDisk", "projected", "portworxVolume", "scaleIO", "storageos", "csi",
            "ephemeral", "image");

    private PodSpecDefaults() {
    }

    /** Defaults a pod template in place: its spec, and the null creationTimestamp upstream's JSON carries. */
    public static void applyToTemplate(ObjectNode template) {
        if (template == null) {
            return;
        }
        templateMetadata(template);
        ObjectNode spec = Nodes.object(template, "spec");
        if (spec != null) {
            apply(spec);
        }
    }

    /**
     * Embedded ObjectMeta (pod, job and claim templates) serializes upstream with {@code "creationTimestamp": null}
     * (metav1.Time is a struct, so omitempty does not drop it); kubectl get -o yaml shows it.
     */
    public static void templateMetadata(ObjectNode template) {
        ObjectNode meta = Nodes.object(template, "metadata");
        if (meta != null && !meta.has("creationTimestamp")) {
            meta.putNull("creationTimestamp");
        }
    }

    /** Defaults a pod spec in place. */
    public static void apply(ObjectNode spec) {
        defaultText(spec, "dnsPolicy", "ClusterFirst");
        defaultText(spec, "restartPolicy", "Always");
        Nodes.defaultObject(spec, "securityContext");
        defaultInt(spec, "terminationGracePeriodSeconds", 30);
        defaultText(spec, "schedulerName", "default-scheduler");
        for (String list : List.of("containers", "initContainers", "ephemeralContainers")) {
            for (ObjectNode c : Nodes.objects(spec, list)) {
                container(c);
            }
        }
        for (ObjectNode v : Nodes.objects(spec, "volumes")) {
            volume(v);
        }
    }

    static void container(ObjectNode c) {
        if (Nodes.blank(c, "imagePullPolicy")) {
            c.put("imagePullPolicy", "latest".equals(imageTag(Nodes.text(c, "image"))) ? "Always" : "IfNotPresent");
        }
        defaultText(c, "terminationMessagePath", "/dev/termination-log");
        defaultText(c, "terminationMessagePolicy", "File");
        Nodes.defaultObject(c, "resources");
        for (ObjectNode p : Nodes.objects(c, "ports")) {
            defaultText(p, "protocol", "TCP");
        }
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            ObjectNode p = Nodes.existingObject(c, probe);
            if (p != null) {
                probe(p);
            }
        }
        ObjectNode lifecycle = Nodes.existingObject(c, "lifecycle");
        if (lifecycle != null) {
            for (String hook : List.of("postStart", "preStop")) {
                ObjectNode h = Nodes.existingObject(lifecycle, hook);
                if (h != null) {
                    handler(h);
                }
            }
        }
        for (ObjectNode env : Nodes.objects(c, "env")) {
            ObjectNode fieldRef = Nodes.existingObject(Nodes.existingObject(env, "valueFrom"), "fieldRef");
            if (fieldRef != null) {
                defaultText(fieldRef, "apiVersion", "v1");
            }
        }
    }

    private static void probe(ObjectNode p) {
        defaultInt(p, "timeoutSeconds", 1);
        defaultInt(p, "periodSeconds", 10);
        defaultInt(p, "successThreshold", 1);
        defaultInt(p, "failureThreshold", 3);
        handler(p);
    }

    private static void handler(ObjectNode h) {
        ObjectNode http = Nodes.existingObject(h, "httpGet");
        if (http != null) {
            defaultText(http, "path", "/");
            defaultText(http, "scheme", "HTTP");
        }
    }

    private static void volume(ObjectNode v) {
        boolean hasSource = VOLUME_SOURCES.stream().anyMatch(s -> Nodes.has(v, s));
        if (!hasSource) {
            v.putObject("emptyDir");
        }
        for (String source : List.of("secret", "configMap", "downwardAPI", "projected")) {
            ObjectNode s = Nodes.existingObject(v, source);
            if (s != null) {
                defaultInt(s, "defaultMode", 420);
            }
        }
        ObjectNode hostPath = Nodes.existingObject(v, "hostPath");
        if (hostPath != null && !hostPath.has("type")) {
            hostPath.put("type", "");
        }
        ObjectNode downward = Nodes.existingObject(v, "downwardAPI");
        if (downward != null) {
            for (ObjectNode item : Nodes.objects(downward, "items")) {
                ObjectNode fieldRef = Nodes.existingObject(item, "fieldRef");
                if (fieldRef != null) {
                    defaultText(fieldRef, "apiVersion", "v1");
                }
            }
        }
    }

    /** The tag of an image reference as upstream's ParseImageName sees it: "latest" when none and no digest. */
    public static String imageTag(String image) {
        if (image.isEmpty()) {
            return "";
        }
        String ref = image;
        boolean digest = false;
        int at = ref.indexOf('@');
        if (at >= 0) {
            ref = ref.substring(0, at);
            digest = true;
        }
        int slash = ref.lastIndexOf('/');
        String last = ref.substring(slash + 1);
        int colon = last.lastIndexOf(':');
        if (colon >= 0) {
            return last.substring(colon + 1);
        }
        return digest ? "" : "latest";
    }

    /** Pod-only defaults (SetDefaults_Pod): requests from limits, enableServiceLinks, host-network ports. */
    public static void applyPodOnly(ObjectNode spec) {
        for (String list : List.of("containers", "initContainers")) {
            for (ObjectNode c : Nodes.objects(spec, list)) {
                ObjectNode resources = Nodes.existingObject(c, "resources");
                ObjectNode limits = Nodes.existingObject(resources, "limits");
                if (limits != null) {
                    ObjectNode requests = Nodes.object(resources, "requests");
                    if (requests != null) {
                        for (String k : limits.propertyNames()) {
                            if (!requests.has(k)) {
                                requests.set(k, limits.get(k).deepCopy());
                            }
                        }
                    }
                }
                if (Nodes.bool(spec, "hostNetwork")) {
                    for (ObjectNode p : Nodes.objects(c, "ports")) {
                        JsonNode hp = p.get("hostPort");
                        if ((hp == null || hp.asLong(0) == 0) && p.has("containerPort")) {
                            p.set("hostPort", p.get("containerPort").deepCopy());
                        }
                    }
                }
            }
        }
        Nodes.defaultBool(spec, "enableServiceLinks", true);
    }
}

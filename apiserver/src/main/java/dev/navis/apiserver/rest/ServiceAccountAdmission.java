package dev.navis.apiserver.rest;

import java.util.HashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's ServiceAccount admission plugin for pods, on create: {@code spec.serviceAccountName} defaults to
 * {@code default} (and {@code spec.serviceAccount}, its deprecated twin, follows it); unless
 * {@code automountServiceAccountToken} is false on the pod (or, when the pod leaves it unset, on the ServiceAccount),
 * every container and init container without a mount at {@value #MOUNT_PATH} mounts, read-only, a projected volume
 * {@code kube-api-access-<5 random>}: a bound token (expirationSeconds 3607, path {@code token}), {@code ca.crt} of
 * the ConfigMap {@code kube-root-ca.crt}, and the namespace. Mirror pods are left alone.
 *
 * <p>Unlike upstream, a pod whose ServiceAccount does not exist (yet) is admitted (upstream refuses it with 403):
 * namespaces here may hold pods before the serviceaccount controller made their {@code default} account, and the
 * kubelet retries the token until the account exists.
 */
final class ServiceAccountAdmission implements KindBehaviour {
    static final String MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
    static final String VOLUME_PREFIX = "kube-api-access-";
    /** Upstream's WarnOnlyBoundTokenExpirationSeconds: an hour and 7 seconds. */
    /** An int: the node a decode of the stored pod gives (written trees are kept as such, see WriteHandoff). */
    static final int TOKEN_EXPIRATION_SECONDS = 3607;
    static final String ROOT_CA_CONFIG_MAP = "kube-root-ca.crt";
    private static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";
    /** The alphabet of upstream's random name suffixes (no vowels, no confusable digits). */
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

    private final ObjectStorage serviceAccounts;

    ServiceAccountAdmission(ObjectStorage serviceAccounts) {
        this.serviceAccounts = serviceAccounts;
    }

    @Override
    public void beforeCreate(ObjectNode pod, boolean dryRun) {
        if (pod.path("metadata").path("annotations").has(MIRROR_ANNOTATION)) {
            return;
        }
        ObjectNode spec = pod.get("spec") instanceof ObjectNode s ? s : pod.putObject("spec");
        String name = spec.path("serviceAccountName").asString("");
        if (name.isEmpty()) {
            name = spec.path("serviceAccount").asString("");
        }
        if (name.isEmpty()) {
            name = "default";
        }
        spec.put("serviceAccountName", name);
        spec.put("serviceAccount", name);
        if (automount(spec, Json.namespace(pod), name)) {
            mountToken(spec);
        }
    }

    private boolean automount(ObjectNode spec, String namespace, String name) {
        JsonNode podSetting = spec.get("automountServiceAccountToken");
        if (podSetting != null && podSetting.isBoolean()) {
            return podSetting.asBoolean();
        }
        ObjectNode sa = serviceAccounts.readShared(namespace, name);
        if (sa == null) {
            return true;
        }
        JsonNode saSetting = sa.get("automountServiceAccountToken");
        return saSetting == null || !saSetting.isBoolean() || saSetting.asBoolean();
    }

    private static void mountToken(ObjectNode spec) {
        String volumeName = null;
        Set<String> names = new HashSet<>();
        for (JsonNode v : spec.path("volumes")) {
            String n = v.path("name").asString("");
            names.add(n);
            if (volumeName == null && n.startsWith(VOLUME_PREFIX)) {
                volumeName = n;
            }
        }
        boolean hasVolume = volumeName != null;
        while (volumeName == null || !hasVolume && names.contains(volumeName)) {
            volumeName = VOLUME_PREFIX + randomSuffix();
        }
        boolean needed = mountIn(spec.path("initContainers"), volumeName) | mountIn(spec.path("containers"), volumeName);
        if (needed && !hasVolume) {
            ArrayNode volumes = spec.get("volumes") instanceof ArrayNode a ? a : spec.putArray("volumes");
            volumes.add(volume(volumeName));
        }
    }

    /** Adds the mount to each container that has nothing at the mount path; true if any got it. */
    private static boolean mountIn(JsonNode containers, String volumeName) {
        boolean added = false;
        for (JsonNode c : containers) {
            if (!(c instanceof ObjectNode container)) {
                continue;
            }
            boolean present = false;
            for (JsonNode m : container.path("volumeMounts")) {
                if (MOUNT_PATH.equals(m.path("mountPath").asString(""))) {
                    present = true;
                }
            }
            if (present) {
                continue;
            }
            ArrayNode mounts = container.get("volumeMounts") instanceof ArrayNode a ? a : container.putArray("volumeMounts");
            ObjectNode mount = mounts.addObject();
            mount.put("name", volumeName);
            mount.put("readOnly", true);
            mount.put("mountPath", MOUNT_PATH);
            added = true;
        }
        return added;
    }

    private static ObjectNode volume(String name) {
        ObjectNode v = Json.object();
        v.put("name", name);
        ObjectNode projected = v.putObject("projected");
        ArrayNode sources = projected.putArray("sources");
        ObjectNode token = sources.addObject().putObject("serviceAccountToken");
        token.put("expirationSeconds", TOKEN_EXPIRATION_SECONDS);
        token.put("path", "token");
        ObjectNode cm = sources.addObject().putObject("configMap");
        cm.put("name", ROOT_CA_CONFIG_MAP);
        ObjectNode item = cm.putArray("items").addObject();
        item.put("key", "ca.crt");
        item.put("path", "ca.crt");
        ObjectNode file = sources.addObject().putObject("downwardAPI").putArray("items").addObject();
        ObjectNode ref = file.putObject("fieldRef");
        ref.put("apiVersion", "v1");
        ref.put("fieldPath", "metadata.namespace");
        file.put("path", "namespace");
        projected.put("defaultMode", 420);
        return v;
    }

    private static String randomSuffix() {
        StringBuilder sb = new StringBuilder(5);
        for (int i = 0; i < 5; i++) {
            sb.append(ALPHABET.charAt(java.util.concurrent.ThreadLocalRandom.current().nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}

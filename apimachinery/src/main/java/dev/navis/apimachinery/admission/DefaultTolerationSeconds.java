package dev.navis.apimachinery.admission;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's DefaultTolerationSeconds admission plugin: a pod that does not already tolerate
 * {@code node.kubernetes.io/not-ready:NoExecute} (resp. {@code unreachable}) gets an {@code Exists} toleration
 * of it for 300 s, so that the taint eviction controller moves its pods 5 minutes after a node fails. A
 * toleration with an empty key or an empty effect counts as tolerating. Applied to pods on create.
 */
public final class DefaultTolerationSeconds {

    public static final String NOT_READY = "node.kubernetes.io/not-ready";
    public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    /** Upstream's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
    public static final long DEFAULT_SECONDS = 300;

    private DefaultTolerationSeconds() {
    }

    /** Adds the missing tolerations to {@code pod} (a Pod's JSON) in place, for upstream's default 300 s. */
    public static void apply(ObjectNode pod) {
        apply(pod, DEFAULT_SECONDS, DEFAULT_SECONDS);
    }

    /**
     * As {@link #apply(ObjectNode)} with the API server's --default-not-ready-toleration-seconds and
     * --default-unreachable-toleration-seconds.
     */
    public static void apply(ObjectNode pod, long notReadySeconds, long unreachableSeconds) {
        JsonNode specNode = pod.get("spec");
        if (!(specNode instanceof ObjectNode spec)) {
            return;
        }
        boolean notReady = false;
        boolean unreachable = false;
        JsonNode existing = spec.get("tolerations");
        if (existing != null && existing.isArray()) {
            for (JsonNode t : existing) {
                String key = t.path("key").asString("");
                String effect = t.path("effect").asString("");
                boolean noExecute = effect.isEmpty() || effect.equals("NoExecute");
                notReady |= noExecute && (key.isEmpty() || key.equals(NOT_READY));
                unreachable |= noExecute && (key.isEmpty() || key.equals(UNREACHABLE));
            }
        }
        if (notReady && unreachable) {
            return;
        }
        ArrayNode tolerations = existing != null && existing.isArray() ? (ArrayNode) existing : spec.putArray("tolerations");
        if (!notReady) {
            add(tolerations, NOT_READY, notReadySeconds);
        }
        if (!unreachable) {
            add(tolerations, UNREACHABLE, unreachableSeconds);
        }
    }

    private static void add(ArrayNode tolerations, String key, long seconds) {
        ObjectNode t = tolerations.addObject();
        t.put("key", key);
        t.put("operator", "Exists");
        t.put("effect", "NoExecute");
        // an int when it fits, the node a decode of the stored JSON gives (the API server keeps written trees as such)
        if (seconds == (int) seconds) {
            t.put("tolerationSeconds", (int) seconds);
        } else {
            t.put("tolerationSeconds", seconds);
        }
    }
}

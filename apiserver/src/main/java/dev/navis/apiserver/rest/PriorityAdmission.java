package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's Priority admission plugin for pods: on create, resolves {@code spec.priorityClassName} (or the
 * PriorityClass with {@code globalDefault: true}, the lowest if several) into {@code spec.priority} and
 * {@code spec.preemptionPolicy}; without a default class the priority is 0. A class that does not exist,
 * or a priority / preemptionPolicy in the spec that differs from the class's, is Forbidden. The two
 * system classes resolve even before they are stored. On update, values the client dropped are kept.
 */
public final class PriorityAdmission implements KindBehaviour {
    /** Upstream's bootstrap classes (scheduling.SystemPriorityClasses). */
    static final Map<String, Integer> SYSTEM_CLASSES = Map.of(
            "system-node-critical", 2_000_001_000,
            "system-cluster-critical", 2_000_000_000);

    private final ResourceDefinition pods;
    private final ObjectStorage priorityClasses;

    public PriorityAdmission(ResourceDefinition pods, ObjectStorage priorityClasses) {
        this.pods = pods;
        this.priorityClasses = priorityClasses;
    }

    private record Resolved(String className, int priority, String preemptionPolicy) {
    }

    @Override
    public void beforeCreate(ObjectNode pod, boolean dryRun) {
        ObjectNode spec = pod.has("spec") && pod.get("spec").isObject() ? (ObjectNode) pod.get("spec") : pod.putObject("spec");
        String className = spec.path("priorityClassName").asString("");
        String name = Json.name(pod);
        Resolved r;
        if (className.isEmpty()) {
            r = globalDefault();
            if (!r.className().isEmpty()) {
                spec.put("priorityClassName", r.className());
            }
        } else {
            r = lookup(className);
            if (r == null) {
                throw ApiException.forbidden(pods, name, "no PriorityClass with name " + className + " was found");
            }
        }
        JsonNode given = spec.get("priority");
        if (given != null && !given.isNull() && given.asInt() != r.priority()) {
            throw ApiException.forbidden(pods, name, "the integer value of priority (" + given.asInt()
                    + ") must not be provided in pod spec; priority admission controller computed " + r.priority()
                    + " from the given PriorityClass name");
        }
        spec.put("priority", r.priority());
        if (r.preemptionPolicy() != null) {
            String givenPolicy = spec.path("preemptionPolicy").asString("");
            if (!givenPolicy.isEmpty() && !givenPolicy.equals(r.preemptionPolicy())) {
                throw ApiException.forbidden(pods, name, "the string value of PreemptionPolicy (" + givenPolicy
                        + ") must not be provided in pod spec; priority admission controller computed "
                        + r.preemptionPolicy() + " from the given PriorityClass name");
            }
            spec.put("preemptionPolicy", r.preemptionPolicy());
        }
    }

    @Override
    public void beforeUpdate(ObjectNode pod, ObjectNode old, boolean dryRun) {
        // set on create; an update that leaves them out keeps them
        if (!(pod.get("spec") instanceof ObjectNode spec) || !(old.get("spec") instanceof ObjectNode oldSpec)) {
            return;
        }
        for (String field : new String[] {"priority", "preemptionPolicy"}) {
            if ((!spec.has(field) || spec.get(field).isNull()) && oldSpec.has(field)) {
                spec.set(field, oldSpec.get(field).deepCopy());
            }
        }
    }

    private Resolved lookup(String className) {
        var kv = priorityClasses.read("", className);
        if (kv == null) {
            Integer system = SYSTEM_CLASSES.get(className);
            return system == null ? null : new Resolved(className, system, "PreemptLowerPriority");
        }
        return resolved(priorityClasses.cachedOrDecoded(kv));
    }

    private Resolved globalDefault() {
        Resolved best = null;
        // a consistent read of the few classes: the watch cache may not have a class created a moment ago; its
        // object of the very version read spares parsing them on every create (only read here)
        for (var kv : priorityClasses.store().rangePrefix(priorityClasses.prefix(""), 0, 0).kvs()) {
            ObjectNode pc = priorityClasses.cachedOrDecoded(kv);
            if (pc.path("globalDefault").asBoolean(false)) {
                Resolved r = resolved(pc);
                // a race may leave several defaults: the lowest value wins, as upstream
                if (best == null || r.priority() < best.priority()) {
                    best = r;
                }
            }
        }
        return best != null ? best : new Resolved("", 0, "PreemptLowerPriority");
    }

    private static Resolved resolved(ObjectNode pc) {
        String policy = pc.path("preemptionPolicy").asString("");
        return new Resolved(Json.name(pc), pc.path("value").asInt(0), policy.isEmpty() ? null : policy);
    }
}

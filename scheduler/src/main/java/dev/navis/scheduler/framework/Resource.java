package dev.navis.scheduler.framework;

import io.fabric8.kubernetes.api.model.Quantity;
import java.util.HashMap;
import java.util.Map;

/**
 * An amount of node resources (upstream's framework.Resource): CPU in millicores, memory and
 * ephemeral-storage in bytes, a pod count, and scalar (extended, hugepages) resources by name. Mutable;
 * NodeInfo and PodInfo own theirs.
 */
public final class Resource {
    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    public static final String PODS = "pods";

    public long milliCpu;
    public long memory;
    public long ephemeralStorage;
    public long allowedPodNumber;
    /** Extended and hugepages resources; null until one is set. */
    public Map<String, Long> scalarResources;

    public Resource() {
    }

    /** Reads a resource list (requests, limits, allocatable); unknown non-scalar names are ignored. */
    public static Resource of(Map<String, Quantity> list) {
        Resource r = new Resource();
        r.add(list);
        return r;
    }

    public void add(Map<String, Quantity> list) {
        if (list == null) {
            return;
        }
        for (Map.Entry<String, Quantity> e : list.entrySet()) {
            switch (e.getKey()) {
                case CPU -> milliCpu += Quantities.milliValue(e.getValue());
                case MEMORY -> memory += Quantities.value(e.getValue());
                case EPHEMERAL_STORAGE -> ephemeralStorage += Quantities.value(e.getValue());
                case PODS -> allowedPodNumber += Quantities.value(e.getValue());
                default -> {
                    if (isScalarResourceName(e.getKey())) {
                        addScalar(e.getKey(), Quantities.value(e.getValue()));
                    }
                }
            }
        }
    }

    public void add(Resource other) {
        milliCpu += other.milliCpu;
        memory += other.memory;
        ephemeralStorage += other.ephemeralStorage;
        allowedPodNumber += other.allowedPodNumber;
        if (other.scalarResources != null) {
            other.scalarResources.forEach(this::addScalar);
        }
    }

    public void subtract(Resource other) {
        milliCpu -= other.milliCpu;
        memory -= other.memory;
        ephemeralStorage -= other.ephemeralStorage;
        allowedPodNumber -= other.allowedPodNumber;
        if (other.scalarResources != null) {
            other.scalarResources.forEach((k, v) -> addScalar(k, -v));
        }
    }

    /** Each field becomes the larger of this and {@code other} (for init containers). */
    public void setMax(Resource other) {
        milliCpu = Math.max(milliCpu, other.milliCpu);
        memory = Math.max(memory, other.memory);
        ephemeralStorage = Math.max(ephemeralStorage, other.ephemeralStorage);
        allowedPodNumber = Math.max(allowedPodNumber, other.allowedPodNumber);
        if (other.scalarResources != null) {
            other.scalarResources.forEach((k, v) -> setScalar(k, Math.max(scalar(k), v)));
        }
    }

    public void addScalar(String name, long amount) {
        if (scalarResources == null) {
            scalarResources = new HashMap<>(4);
        }
        scalarResources.merge(name, amount, Long::sum);
    }

    public void setScalar(String name, long amount) {
        if (scalarResources == null) {
            scalarResources = new HashMap<>(4);
        }
        scalarResources.put(name, amount);
    }

    public long scalar(String name) {
        if (scalarResources == null) {
            return 0;
        }
        Long v = scalarResources.get(name);
        return v == null ? 0 : v;
    }

    /** The amount of a resource by its API name. */
    public long get(String name) {
        return switch (name) {
            case CPU -> milliCpu;
            case MEMORY -> memory;
            case EPHEMERAL_STORAGE -> ephemeralStorage;
            case PODS -> allowedPodNumber;
            default -> scalar(name);
        };
    }

    public Resource copy() {
        Resource r = new Resource();
        r.milliCpu = milliCpu;
        r.memory = memory;
        r.ephemeralStorage = ephemeralStorage;
        r.allowedPodNumber = allowedPodNumber;
        if (scalarResources != null) {
            r.scalarResources = new HashMap<>(scalarResources);
        }
        return r;
    }

    /**
     * Extended resources (a domain-prefixed name outside kubernetes.io, e.g. nvidia.com/gpu), hugepages-*,
     * attachable-volumes-* and requests.* names, as upstream's IsScalarResourceName.
     */
    public static boolean isScalarResourceName(String name) {
        return isExtendedResourceName(name) || name.startsWith("hugepages-") || name.startsWith("attachable-volumes-")
                || name.startsWith("requests.");
    }

    public static boolean isExtendedResourceName(String name) {
        int slash = name.indexOf('/');
        if (slash < 0 || name.startsWith("requests.")) {
            return false;
        }
        String domain = name.substring(0, slash);
        return !(domain.equals("kubernetes.io") || domain.endsWith(".kubernetes.io"));
    }

    @Override
    public String toString() {
        return "Resource{milliCpu=" + milliCpu + ", memory=" + memory + ", ephemeralStorage=" + ephemeralStorage
                + ", pods=" + allowedPodNumber + (scalarResources == null ? "" : ", " + scalarResources) + "}";
    }
}

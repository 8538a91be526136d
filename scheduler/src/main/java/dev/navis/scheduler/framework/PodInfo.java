package dev.navis.scheduler.framework;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A pod plus what the scheduler derives from it once instead of per node (upstream's PodInfo): effective
 * resource requests (init containers, sidecars and overhead counted like upstream), the "non-zero" requests
 * scoring uses, host ports, priority and affinity flags. Plugins may memoize their own derived data with
 * {@link #memo}. The pod is the informer's instance: never mutate it.
 */
public final class PodInfo {
    /** Upstream's defaults for containers without requests, used when scoring (DefaultMilliCPURequest...). */
    public static final long DEFAULT_MILLI_CPU_REQUEST = 100;
    public static final long DEFAULT_MEMORY_REQUEST = 200L * 1024 * 1024;

    private final Pod pod;
    private final String key;
    private final Resource requests;
    private final long nonZeroMilliCpu;
    private final long nonZeroMemory;
    private final List<ContainerPort> hostPorts;
    private final int priority;
    private final boolean hasAffinity;
    private final boolean hasRequiredAntiAffinity;
    private volatile Map<Object, Object> memos;

    public PodInfo(Pod pod) {
        this.pod = pod;
        this.key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        PodSpec spec = pod.getSpec();
        Integer p = spec == null ? null : spec.getPriority();
        this.priority = p == null ? 0 : p;
        this.requests = new Resource();
        long[] nonZero = new long[2];
        computeRequests(spec, requests, nonZero);
        this.nonZeroMilliCpu = nonZero[0];
        this.nonZeroMemory = nonZero[1];
        this.hostPorts = hostPorts(spec);
        var affinity = spec == null ? null : spec.getAffinity();
        this.hasAffinity = affinity != null && (affinity.getPodAffinity() != null || affinity.getPodAntiAffinity() != null);
        this.hasRequiredAntiAffinity = affinity != null && affinity.getPodAntiAffinity() != null
                && affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null
                && !affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().isEmpty();
    }

    public Pod pod() {
        return pod;
    }

    /** "namespace/name". */
    public String key() {
        return key;
    }

    public String uid() {
        return pod.getMetadata().getUid();
    }

    public String name() {
        return pod.getMetadata().getName();
    }

    public String namespace() {
        return pod.getMetadata().getNamespace();
    }

    /** The effective requests; read-only. */
    public Resource requests() {
        return requests;
    }

    /** CPU request with upstream's 100m default for containers that request none (scoring only). */
    public long nonZeroMilliCpu() {
        return nonZeroMilliCpu;
    }

    /** Memory request with upstream's 200Mi default for containers that request none (scoring only). */
    public long nonZeroMemory() {
        return nonZeroMemory;
    }

    /** The container ports with a hostPort. */
    public List<ContainerPort> hostPorts() {
        return hostPorts;
    }

    public int priority() {
        return priority;
    }

    /** The pod has pod affinity or pod anti-affinity (preferred or required). */
    public boolean hasAffinity() {
        return hasAffinity;
    }

    public boolean hasRequiredAntiAffinity() {
        return hasRequiredAntiAffinity;
    }

    /**
     * Data a plugin derives from the pod once (parsed affinity terms, selectors), under the plugin's own key;
     * computed on first use and kept as long as this PodInfo.
     */
    @SuppressWarnings("unchecked")
    public <T> T memo(Object key, Function<PodInfo, T> compute) {
        Map<Object, Object> m = memos;
        if (m == null) {
            synchronized (this) {
                m = memos;
                if (m == null) {
                    m = new ConcurrentHashMap<>(4);
                    memos = m;
                }
            }
        }
        Object v = m.get(key);
        if (v == null) {
            v = compute.apply(this);
            m.put(key, v);
        }
        return (T) v;
    }

    /**
     * Upstream's PodRequests: the larger of (sum of containers + sidecars) and each init container's request
     * plus the sidecars started before it, plus the pod overhead. A missing request with a limit counts as the
     * limit (what API defaulting sets).
     */
    private static void computeRequests(PodSpec spec, Resource total, long[] nonZero) {
        if (spec == null) {
            return;
        }
        long nzCpu = 0;
        long nzMem = 0;
        for (Container c : list(spec.getContainers())) {
            Resource r = containerRequests(c);
            total.add(r);
            Map<String, Quantity> req = requestMap(c);
            nzCpu += req != null && req.containsKey(Resource.CPU) ? r.milliCpu : DEFAULT_MILLI_CPU_REQUEST;
            nzMem += req != null && req.containsKey(Resource.MEMORY) ? r.memory : DEFAULT_MEMORY_REQUEST;
        }
        Resource restartable = new Resource();
        Resource initMax = new Resource();
        long initNzCpu = 0;
        long initNzMem = 0;
        long sidecarNzCpu = 0;
        long sidecarNzMem = 0;
        for (Container c : list(spec.getInitContainers())) {
            Resource r = containerRequests(c);
            Map<String, Quantity> req = requestMap(c);
            long cpu = req != null && req.containsKey(Resource.CPU) ? r.milliCpu : DEFAULT_MILLI_CPU_REQUEST;
            long mem = req != null && req.containsKey(Resource.MEMORY) ? r.memory : DEFAULT_MEMORY_REQUEST;
            if ("Always".equals(c.getRestartPolicy())) {
                // a sidecar runs alongside the app containers and every later init container
                total.add(r);
                nzCpu += cpu;
                nzMem += mem;
                restartable.add(r);
                sidecarNzCpu += cpu;
                sidecarNzMem += mem;
                initMax.setMax(restartable);
                initNzCpu = Math.max(initNzCpu, sidecarNzCpu);
                initNzMem = Math.max(initNzMem, sidecarNzMem);
            } else {
                Resource withSidecars = r.copy();
                withSidecars.add(restartable);
                initMax.setMax(withSidecars);
                initNzCpu = Math.max(initNzCpu, cpu + sidecarNzCpu);
                initNzMem = Math.max(initNzMem, mem + sidecarNzMem);
            }
        }
        total.setMax(initMax);
        nzCpu = Math.max(nzCpu, initNzCpu);
        nzMem = Math.max(nzMem, initNzMem);
        if (spec.getOverhead() != null && !spec.getOverhead().isEmpty()) {
            Resource overhead = Resource.of(spec.getOverhead());
            total.add(overhead);
            nzCpu += overhead.milliCpu;
            nzMem += overhead.memory;
        }
        nonZero[0] = nzCpu;
        nonZero[1] = nzMem;
    }

    private static Map<String, Quantity> requestMap(Container c) {
        ResourceRequirements rr = c.getResources();
        if (rr == null) {
            return null;
        }
        Map<String, Quantity> requests = rr.getRequests();
        Map<String, Quantity> limits = rr.getLimits();
        if (limits == null || limits.isEmpty()) {
            return requests;
        }
        if (requests == null || requests.isEmpty()) {
            return limits;
        }
        if (requests.keySet().containsAll(limits.keySet())) {
            return requests;
        }
        Map<String, Quantity> merged = new java.util.HashMap<>(limits);
        merged.putAll(requests);
        return merged;
    }

    private static Resource containerRequests(Container c) {
        return Resource.of(requestMap(c));
    }

    private static List<ContainerPort> hostPorts(PodSpec spec) {
        if (spec == null) {
            return List.of();
        }
        List<ContainerPort> ports = null;
        for (Container c : list(spec.getContainers())) {
            ports = addHostPorts(c, ports);
        }
        for (Container c : list(spec.getInitContainers())) {
            if ("Always".equals(c.getRestartPolicy())) {
                ports = addHostPorts(c, ports);
            }
        }
        return ports == null ? List.of() : ports;
    }

    private static List<ContainerPort> addHostPorts(Container c, List<ContainerPort> ports) {
        for (ContainerPort port : list(c.getPorts())) {
            if (port.getHostPort() != null && port.getHostPort() > 0) {
                if (ports == null) {
                    ports = new ArrayList<>(2);
                }
                ports.add(port);
            }
        }
        return ports;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

    @Override
    public String toString() {
        return key;
    }
}

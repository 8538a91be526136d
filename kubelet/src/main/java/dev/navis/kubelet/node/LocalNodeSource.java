package dev.navis.kubelet.node;

import dev.navis.kubelet.runtime.PodRuntime;
import dev.navis.kubelet.util.Quantities;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The node this process runs on: capacity from the machine, allocatable = capacity − kube/system reserved −
 * the hard eviction thresholds (upstream's formula), conditions from the runtime and the eviction signals
 * (memory.available &lt; 100Mi, nodefs.available &lt; 10%, pid.available &lt; 5% of pid_max).
 */
public final class LocalNodeSource implements NodeSource {
    public static final String KUBELET_VERSION = "v1.32.0-navis";
    /** Upstream's default hard eviction threshold for memory.available. */
    static final long EVICTION_MEMORY_AVAILABLE = 100L * 1024 * 1024;
    static final double EVICTION_NODEFS_AVAILABLE = 0.10;
    static final double EVICTION_PID_AVAILABLE = 0.05;

    /**
     * @param reservedMilliCpu   kube-reserved + system-reserved cpu
     * @param reservedMemory     kube-reserved + system-reserved memory in bytes
     * @param reservedStorage    kube-reserved + system-reserved ephemeral-storage in bytes
     * @param extraLabels        added to the standard labels (e.g. node-role.kubernetes.io/control-plane)
     */
    public record Settings(String nodeName, Path rootDir, int maxPods, int kubeletPort, long reservedMilliCpu,
                           long reservedMemory, long reservedStorage, Map<String, String> extraLabels) {
    }

    private final Settings settings;
    private final MachineInfo machine;
    private final Supplier<PodRuntime> runtime;

    public LocalNodeSource(Settings settings, MachineInfo machine, Supplier<PodRuntime> runtime) {
        this.settings = settings;
        this.machine = machine;
        this.runtime = runtime;
    }

    @Override
    public String nodeName() {
        return settings.nodeName();
    }

    public MachineInfo machine() {
        return machine;
    }

    @Override
    public Node desiredNode() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("beta.kubernetes.io/arch", machine.architecture());
        labels.put("beta.kubernetes.io/os", machine.operatingSystem());
        labels.put("kubernetes.io/arch", machine.architecture());
        labels.put("kubernetes.io/hostname", settings.nodeName());
        labels.put("kubernetes.io/os", machine.operatingSystem());
        labels.putAll(settings.extraLabels());
        return new NodeBuilder()
                .withNewMetadata().withName(settings.nodeName()).withLabels(labels)
                .withAnnotations(Map.of("volumes.kubernetes.io/controller-managed-attach-detach", "true"))
                .endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus()
                .withCapacity(capacity())
                .withAllocatable(allocatable())
                .withAddresses(new NodeAddressBuilder().withType("InternalIP").withAddress(machine.internalIp()).build(),
                        new NodeAddressBuilder().withType("Hostname").withAddress(machine.hostname()).build())
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(settings.kubeletPort()).endKubeletEndpoint()
                .endDaemonEndpoints()
                .withNodeInfo(new NodeSystemInfoBuilder()
                        .withMachineID(machine.machineId()).withSystemUUID(machine.systemUuid())
                        .withBootID(machine.bootId()).withKernelVersion(machine.kernelVersion())
                        .withOsImage(machine.osImage()).withOperatingSystem(machine.operatingSystem())
                        .withArchitecture(machine.architecture())
                        .withContainerRuntimeVersion(runtimeVersion())
                        .withKubeletVersion(KUBELET_VERSION).withKubeProxyVersion("").build())
                .endStatus()
                .build();
    }

    Map<String, Quantity> capacity() {
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", new Quantity(Integer.toString(machine.cpuCores())));
        capacity.put("ephemeral-storage", Quantities.bytes(machine.ephemeralStorage()));
        capacity.put("hugepages-1Gi", new Quantity("0"));
        capacity.put("hugepages-2Mi", new Quantity("0"));
        capacity.put("memory", Quantities.bytes(machine.memoryBytes()));
        capacity.put("pods", new Quantity(Integer.toString(settings.maxPods())));
        return capacity;
    }

    /** Capacity minus reservations and hard eviction thresholds (the machine does not change while we run). */
    public Map<String, Quantity> allocatable() {
        Map<String, Quantity> allocatable = new LinkedHashMap<>(capacity());
        long cpu = Math.max(0, machine.cpuCores() * 1000L - settings.reservedMilliCpu());
        long memory = Math.max(0, machine.memoryBytes() - settings.reservedMemory() - EVICTION_MEMORY_AVAILABLE);
        long storage = Math.max(0, machine.ephemeralStorage() - settings.reservedStorage()
                - (long) (machine.ephemeralStorage() * EVICTION_NODEFS_AVAILABLE));
        allocatable.put("cpu", Quantities.milliCores(cpu));
        allocatable.put("memory", Quantities.bytes(memory));
        allocatable.put("ephemeral-storage", new Quantity(Long.toString(storage)));
        return allocatable;
    }

    private String runtimeVersion() {
        try {
            return runtime.get().version();
        } catch (RuntimeException e) {
            return "";
        }
    }

    @Override
    public List<ConditionFact> conditions() {
        String notReady;
        try {
            notReady = runtime.get().notReadyReason();
        } catch (RuntimeException e) {
            notReady = "container runtime is down: " + e.getMessage();
        }
        boolean memoryPressure = MachineInfo.memoryAvailableBytes() < EVICTION_MEMORY_AVAILABLE;
        boolean diskPressure;
        try {
            var store = Files.getFileStore(settings.rootDir());
            diskPressure = store.getUsableSpace() < store.getTotalSpace() * EVICTION_NODEFS_AVAILABLE;
        } catch (IOException e) {
            diskPressure = false;
        }
        long[] pids = MachineInfo.processCountAndMax();
        boolean pidPressure = pids[1] - pids[0] < pids[1] * EVICTION_PID_AVAILABLE;
        return NodeSource.conditions(notReady, memoryPressure, diskPressure, pidPressure);
    }
}

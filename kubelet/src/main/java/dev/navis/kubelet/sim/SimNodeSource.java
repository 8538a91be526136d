package dev.navis.kubelet.sim;

import dev.navis.kubelet.node.LocalNodeSource;
import dev.navis.kubelet.node.NodeSource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddressBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A simulated node's description: labelled {@code type=sim} and {@code navis.dev/simulated=true}, annotated
 * {@code navis.dev/simulated}, with the capacity it is given, an address in 100.64.0.0/10 (nothing listens
 * there) and conditions that are always healthy.
 */
public final class SimNodeSource implements NodeSource {
    public static final String SIMULATED_LABEL = "navis.dev/simulated";
    public static final String TYPE_LABEL = "type";
    public static final String SIMULATED_ANNOTATION = "navis.dev/simulated";

    /** What each simulated node offers. */
    public record Capacity(String cpu, String memory, String ephemeralStorage, int pods) {
        public static final Capacity DEFAULT = new Capacity("32", "256Gi", "1Ti", 110);
    }

    private final String name;
    private final int index;
    private final Capacity capacity;
    private final String podCidr;
    private final List<ConditionFact> conditions = NodeSource.healthy();

    public SimNodeSource(String name, int index, Capacity capacity, String podCidr) {
        this.name = name;
        this.index = index;
        this.capacity = capacity;
        this.podCidr = podCidr;
    }

    @Override
    public String nodeName() {
        return name;
    }

    public String address() {
        int n = index + 1; // 100.64.0.0 is a network address
        return "100." + (64 + n / 65536 % 64) + "." + (n / 256 % 256) + "." + (n % 256);
    }

    @Override
    public Node desiredNode() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("beta.kubernetes.io/arch", "amd64");
        labels.put("beta.kubernetes.io/os", "linux");
        labels.put("kubernetes.io/arch", "amd64");
        labels.put("kubernetes.io/hostname", name);
        labels.put("kubernetes.io/os", "linux");
        labels.put("node.kubernetes.io/instance-type", "navis-sim");
        labels.put(TYPE_LABEL, "sim");
        labels.put(SIMULATED_LABEL, "true");
        Map<String, Quantity> cap = new LinkedHashMap<>();
        cap.put("cpu", new Quantity(capacity.cpu()));
        cap.put("ephemeral-storage", new Quantity(capacity.ephemeralStorage()));
        cap.put("memory", new Quantity(capacity.memory()));
        cap.put("pods", new Quantity(Integer.toString(capacity.pods())));
        return new NodeBuilder()
                .withNewMetadata().withName(name).withLabels(labels)
                .withAnnotations(Map.of(SIMULATED_ANNOTATION, "true",
                        "volumes.kubernetes.io/controller-managed-attach-detach", "true"))
                .endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus()
                .withCapacity(cap)
                .withAllocatable(new LinkedHashMap<>(cap))
                .withAddresses(new NodeAddressBuilder().withType("InternalIP").withAddress(address()).build(),
                        new NodeAddressBuilder().withType("Hostname").withAddress(name).build())
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(0).endKubeletEndpoint().endDaemonEndpoints()
                .withNewNodeInfo().withArchitecture("amd64").withOperatingSystem("linux")
                .withOsImage("Navis simulated node").withKernelVersion("simulated")
                .withContainerRuntimeVersion(SimulatedPodRuntime.VERSION)
                .withKubeletVersion(LocalNodeSource.KUBELET_VERSION).withKubeProxyVersion("")
                .withMachineID("").withSystemUUID("").withBootID("").endNodeInfo()
                .endStatus()
                .build();
    }

    /** The pod CIDR its runtime hands addresses from (not written to spec.podCIDR: node IPAM owns that). */
    public String podCidr() {
        return podCidr;
    }

    @Override
    public List<ConditionFact> conditions() {
        return conditions;
    }
}

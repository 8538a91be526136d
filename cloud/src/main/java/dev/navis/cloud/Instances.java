package dev.navis.cloud;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import java.util.List;

/** Upstream's cloudprovider.InstancesV2: what the provider knows of a node's machine. */
public interface Instances {

    /** The machine's addresses (InternalIP, ExternalIP, Hostname, …) as the provider sees them. */
    List<NodeAddress> nodeAddresses(Node node);

    /** False when the machine is gone, so the node may be deleted. */
    boolean instanceExists(Node node);

    /** True when the machine exists but is shut down. */
    boolean instanceShutdown(Node node);
}

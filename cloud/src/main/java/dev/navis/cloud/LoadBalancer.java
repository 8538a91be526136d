package dev.navis.cloud;

import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Optional;

/**
 * Upstream's cloudprovider.LoadBalancer: the service-lb controller calls it to make a {@code type:
 * LoadBalancer} Service reachable and to tear that down. Implementations must not modify the Service or
 * Nodes passed in (they are the informers' cached objects).
 */
public interface LoadBalancer {

    /** The load balancer's status when it exists, empty when it does not. */
    Optional<LoadBalancerStatus> getLoadBalancer(String clusterName, Service service);

    /** The provider's name for the Service's load balancer (upstream: "a" + uid without dashes, 32 chars). */
    default String getLoadBalancerName(String clusterName, Service service) {
        String name = "a" + service.getMetadata().getUid().replace("-", "");
        return name.length() > 32 ? name.substring(0, 32) : name;
    }

    /** Creates or updates the load balancer so it serves the Service on {@code nodes}; returns its status. */
    LoadBalancerStatus ensureLoadBalancer(String clusterName, Service service, List<Node> nodes);

    /** Points an existing load balancer at {@code nodes} (the set of nodes changed). */
    void updateLoadBalancer(String clusterName, Service service, List<Node> nodes);

    /** Removes the load balancer; succeeds when it did not exist. */
    void ensureLoadBalancerDeleted(String clusterName, Service service);
}

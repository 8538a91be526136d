package dev.navis.cloud;

import java.util.Optional;

/**
 * Upstream's cloudprovider.Interface, reduced to what Navis' cloud controller manager uses: a provider may
 * offer load balancers and instance information; an absent part switches the matching controller off.
 */
public interface CloudProvider {

    /** The provider's name, as upstream's ProviderName() ("local" for Navis' own). */
    String providerName();

    Optional<LoadBalancer> loadBalancer();

    Optional<Instances> instances();
}

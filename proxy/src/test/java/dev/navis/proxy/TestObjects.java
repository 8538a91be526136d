package dev.navis.proxy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;

/** Services and EndpointSlices for the proxy's tests. */
public final class TestObjects {
    private TestObjects() {
    }

    /** A ClusterIP Service with one TCP port named "http" (port → targetPort). */
    public static ServiceBuilder service(String ns, String name, String clusterIP, int port, int targetPort) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIP).withClusterIPs(clusterIP)
                .addNewPort().withName("http").withProtocol("TCP").withPort(port)
                .withTargetPort(new IntOrString(targetPort)).endPort().endSpec();
    }

    public static Service clusterIP(String ns, String name, String clusterIP, int port) {
        return service(ns, name, clusterIP, port, port).build();
    }

    /** A slice of the Service's "http" TCP port with these endpoints. */
    public static EndpointSlice slice(String ns, String service, String sliceName, int port, Endpoint... endpoints) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(sliceName)
                .addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType("IPv4").addNewPort().withName("http").withProtocol("TCP").withPort(port).endPort()
                .withEndpoints(List.of(endpoints)).build();
    }

    public static Endpoint ready(String ip, String node) {
        return endpoint(ip, node, true, true, false);
    }

    public static Endpoint endpoint(String ip, String node, boolean ready, boolean serving, boolean terminating) {
        return new EndpointBuilder().withAddresses(ip).withNodeName(node).withNewConditions().withReady(ready)
                .withServing(serving).withTerminating(terminating).endConditions().build();
    }
}

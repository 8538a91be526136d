package dev.navis.dns;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * The Service pods reach the cluster DNS through: {@code kube-system/kube-dns} at 10.43.0.10 with ports 53/UDP
 * and 53/TCP, as kubeadm and k3s name it. The Service has no selector; its EndpointSlice (kept by this class,
 * with a managed-by label of its own so the EndpointSlice controllers leave it alone) points at the address
 * and port the DNS server really listens on, so kube-proxy DNATs 10.43.0.10:53 there.
 */
public final class KubeDnsService {
    public static final String NAMESPACE = "kube-system";
    public static final String NAME = "kube-dns";
    public static final String CLUSTER_IP = "10.43.0.10";
    public static final String SLICE_NAME = "kube-dns-navis";
    public static final String MANAGED_BY = "navis-cluster-dns";

    private KubeDnsService() {
    }

    /** Creates the Service if missing and points its EndpointSlice at {@code address:port}. */
    public static void ensure(KubeClient client, String nodeName, String address, int port) {
        if (find(() -> client.services().namespace(NAMESPACE).get(NAME)) == null) {
            Service svc = new ServiceBuilder().withNewMetadata().withNamespace(NAMESPACE).withName(NAME)
                    .addToLabels("k8s-app", "kube-dns").addToLabels("kubernetes.io/cluster-service", "true")
                    .addToLabels("kubernetes.io/name", "CoreDNS").endMetadata()
                    .withNewSpec().withType("ClusterIP").withClusterIP(CLUSTER_IP)
                    .addNewPort().withName("dns").withProtocol("UDP").withPort(53).withTargetPort(new IntOrString(53)).endPort()
                    .addNewPort().withName("dns-tcp").withProtocol("TCP").withPort(53).withTargetPort(new IntOrString(53)).endPort()
                    .endSpec().build();
            try {
                client.services().namespace(NAMESPACE).create(svc);
            } catch (ApiException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
            }
        }
        EndpointSlice desired = new EndpointSliceBuilder().withNewMetadata().withNamespace(NAMESPACE)
                .withName(SLICE_NAME).addToLabels("kubernetes.io/service-name", NAME)
                .addToLabels("endpointslice.kubernetes.io/managed-by", MANAGED_BY).endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses(address).withNodeName(nodeName).withNewConditions().withReady(true)
                .withServing(true).withTerminating(false).endConditions().endEndpoint()
                .addNewPort().withName("dns").withProtocol("UDP").withPort(port).endPort()
                .addNewPort().withName("dns-tcp").withProtocol("TCP").withPort(port).endPort()
                .build();
        EndpointSlice current = find(() -> client.endpointSlices().namespace(NAMESPACE).get(SLICE_NAME));
        if (current == null) {
            client.endpointSlices().namespace(NAMESPACE).create(desired);
        } else {
            desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
            client.endpointSlices().namespace(NAMESPACE).update(desired);
        }
    }

    /** The object, or null when the API answers NotFound (the fake client answers null itself). */
    private static <T> T find(java.util.function.Supplier<T> get) {
        try {
            return get.get();
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }

    /**
     * This host's primary IPv4 address: the source of its default route, else its first non-loopback
     * address, else 127.0.0.1.
     */
    public static InetAddress nodeAddress() {
        try (DatagramSocket probe = new DatagramSocket()) {
            // connecting a datagram socket sends nothing; it only picks the route and the source address
            probe.connect(new InetSocketAddress("192.0.2.1", 53));
            InetAddress local = probe.getLocalAddress();
            if (local instanceof Inet4Address && !local.isAnyLocalAddress() && !local.isLoopbackAddress()) {
                return local;
            }
        } catch (SocketException e) {
            // no default route
        }
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a;
                    }
                }
            }
        } catch (SocketException e) {
            // fall through
        }
        return InetAddress.getLoopbackAddress();
    }
}

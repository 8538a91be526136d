package dev.navis.apiserver;

import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;

/**
 * The address the API server advertises to the cluster (the endpoint of default/kubernetes), chosen as upstream's
 * ResolveBindAddress: a specific bind address is itself; an unspecified or loopback one gives the host's address on
 * its default route (or, without a default route, the first address of an interface that is up).
 */
final class AdvertiseAddress {
    private AdvertiseAddress() {
    }

    static InetAddress choose(String bindAddress) {
        try {
            InetAddress bound = InetAddress.getByName(bindAddress);
            if (!bound.isAnyLocalAddress() && !bound.isLoopbackAddress()) {
                return bound;
            }
        } catch (UnknownHostException e) {
            // a host name that does not resolve: fall back to the host's address
        }
        return hostAddress();
    }

    /** The source address of the default route, else of an up, non-loopback interface; loopback as a last resort. */
    static InetAddress hostAddress() {
        try (DatagramSocket probe = new DatagramSocket()) {
            // connecting a datagram socket sends nothing: it only picks the route and the source address
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

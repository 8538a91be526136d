package dev.navis.apiserver.certs;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names a client may use to reach the API server, which its serving certificate must list: loopback, the
 * host name, every local interface address, and the in-cluster names of the kubernetes Service.
 *
 * @param dnsNames    DNS subject alternative names
 * @param ipAddresses IP subject alternative names
 */
public record ServingNames(Set<String> dnsNames, Set<InetAddress> ipAddresses) {

    /** The ClusterIP of the default/kubernetes Service (first address of the service range 10.43.0.0/16). */
    public static final String KUBERNETES_SERVICE_IP = "10.43.0.1";

    private static final List<String> IN_CLUSTER_NAMES = List.of("kubernetes", "kubernetes.default",
            "kubernetes.default.svc", "kubernetes.default.svc.cluster.local");

    public ServingNames {
        dnsNames = Collections.unmodifiableSet(new LinkedHashSet<>(dnsNames));
        ipAddresses = Collections.unmodifiableSet(new LinkedHashSet<>(ipAddresses));
    }

    /** The names of this machine now. */
    public static ServingNames ofThisHost() {
        Set<String> dns = new LinkedHashSet<>();
        dns.add("localhost");
        String host = hostName();
        if (host != null && !host.isBlank()) {
            dns.add(host.toLowerCase(java.util.Locale.ROOT));
        }
        dns.addAll(IN_CLUSTER_NAMES);
        Set<InetAddress> ips = new LinkedHashSet<>();
        ips.add(ip("127.0.0.1"));
        ips.add(ip("::1"));
        ips.add(ip(KUBERNETES_SERVICE_IP));
        ips.addAll(interfaceAddresses());
        return new ServingNames(dns, ips);
    }

    /** A comparable form: DNS names and normalized IP strings, sorted. */
    public Set<String> canonical() {
        Set<String> all = new TreeSet<>();
        dnsNames.forEach(d -> all.add("DNS:" + d));
        ipAddresses.forEach(ip -> all.add("IP:" + normalize(ip)));
        return all;
    }

    /** The normalized text of an address, without an IPv6 scope: the form certificates carry. */
    static String normalize(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress()).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return System.getenv("HOSTNAME");
        }
    }

    private static List<InetAddress> interfaceAddresses() {
        List<InetAddress> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    // drop the IPv6 scope (%eth0): a certificate holds the bare address
                    addresses.add(InetAddress.getByAddress(address.getAddress()));
                }
            }
        } catch (SocketException | UnknownHostException e) {
            // no interface list: loopback and the service IP still make a usable certificate
        }
        return addresses;
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}

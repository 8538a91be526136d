package dev.navis.proxy;

/**
 * One backend of a service port as the proxy sees it: an address and target port from an EndpointSlice, with
 * the endpoint's conditions and whether it runs on this node.
 *
 * @param ready       conditions.ready (unset counts as true, as upstream)
 * @param serving     conditions.serving (unset: the value of ready)
 * @param terminating conditions.terminating (unset counts as false)
 * @param local       the endpoint's nodeName is this proxy's node
 * @param elsewhere   the endpoint's nodeName is another node (false when the slice does not say)
 */
public record ProxyEndpoint(String ip, int port, boolean ready, boolean serving, boolean terminating, boolean local,
                            boolean elsewhere) implements Comparable<ProxyEndpoint> {

    /** An endpoint whose node is unknown. */
    public ProxyEndpoint(String ip, int port, boolean ready, boolean serving, boolean terminating, boolean local) {
        this(ip, port, ready, serving, terminating, local, false);
    }

    /** Only a pod on this node can reach itself through a Service here (hairpin); one of unknown node might. */
    public boolean mayHairpin() {
        return !elsewhere;
    }

    /** "10.42.0.5:8080". */
    public String address() {
        return ip + ":" + port;
    }

    @Override
    public int compareTo(ProxyEndpoint o) {
        int c = compareIp(ip, o.ip);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    /** Numeric order of dotted IPv4 addresses, so rule text is stable and reads naturally. */
    static int compareIp(String a, String b) {
        int c = Long.compare(numeric(a), numeric(b));
        return c != 0 ? c : a.compareTo(b);
    }

    /** The address as a number (without regexes: this runs in every sort of every sync), -1 if not IPv4. */
    private static long numeric(String ip) {
        long value = 0;
        int part = 0;
        int dots = 0;
        for (int i = 0; i < ip.length(); i++) {
            char ch = ip.charAt(i);
            if (ch == '.') {
                value = (value << 8) | part;
                part = 0;
                dots++;
            } else if (ch >= '0' && ch <= '9' && part < 256) {
                part = part * 10 + (ch - '0');
            } else {
                return -1;
            }
        }
        return dots == 3 ? (value << 8) | part : -1;
    }
}

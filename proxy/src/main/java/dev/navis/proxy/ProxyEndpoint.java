package dev.navis.proxy;

/**
 * One backend of a service port as the proxy sees it: an address and target port from an EndpointSlice, with
 * the endpoint's conditions and whether it runs on this node.
 *
 * @param ready       conditions.ready (unset counts as true, as upstream)
 * @param serving     conditions.serving (unset: the value of ready)
 * @param terminating conditions.terminating (unset counts as false)
 * @param local       the endpoint's nodeName is this proxy's node
 */
public record ProxyEndpoint(String ip, int port, boolean ready, boolean serving, boolean terminating, boolean local)
        implements Comparable<ProxyEndpoint> {

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
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = Integer.compare(parse(x[i]), parse(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    }

    private static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

package dev.navis.scheduler.framework;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The host ports in use on a node, by IP, as upstream's HostPortInfo: 0.0.0.0 (or an empty hostIP) conflicts
 * with every IP for the same protocol and port.
 */
public final class HostPortInfo {
    public static final String DEFAULT_BIND_ALL = "0.0.0.0";

    private final Map<String, Set<Long>> byIp = new HashMap<>(2);

    public void add(String ip, String protocol, int port) {
        byIp.computeIfAbsent(sanitize(ip), k -> new HashSet<>()).add(key(protocol, port));
    }

    public void remove(String ip, String protocol, int port) {
        String i = sanitize(ip);
        Set<Long> set = byIp.get(i);
        if (set != null) {
            set.remove(key(protocol, port));
            if (set.isEmpty()) {
                byIp.remove(i);
            }
        }
    }

    public boolean conflicts(String ip, String protocol, int port) {
        if (port <= 0 || byIp.isEmpty()) {
            return false;
        }
        String i = sanitize(ip);
        long k = key(protocol, port);
        if (i.equals(DEFAULT_BIND_ALL)) {
            for (Set<Long> set : byIp.values()) {
                if (set.contains(k)) {
                    return true;
                }
            }
            return false;
        }
        Set<Long> any = byIp.get(DEFAULT_BIND_ALL);
        if (any != null && any.contains(k)) {
            return true;
        }
        Set<Long> same = byIp.get(i);
        return same != null && same.contains(k);
    }

    public boolean isEmpty() {
        return byIp.isEmpty();
    }

    public HostPortInfo copy() {
        HostPortInfo c = new HostPortInfo();
        byIp.forEach((ip, set) -> c.byIp.put(ip, new HashSet<>(set)));
        return c;
    }

    private static String sanitize(String ip) {
        return ip == null || ip.isEmpty() ? DEFAULT_BIND_ALL : ip;
    }

    private static long key(String protocol, int port) {
        String p = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
        return ((long) p.hashCode() << 32) | (port & 0xffffffffL);
    }
}

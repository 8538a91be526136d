package dev.navis.cloud;

import java.util.stream.LongStream;
import java.util.stream.Stream;

/** An IPv4 CIDR of load-balancer addresses; for prefixes up to /30 the network and broadcast addresses are left out. */
record Ipv4Pool(long network, int prefix) {

    static Ipv4Pool parse(String cidr) {
        String[] parts = cidr.trim().split("/");
        if (parts.length > 2 || !isIpv4(parts[0])) {
            throw new IllegalArgumentException("not an IPv4 CIDR: " + cidr);
        }
        int prefix;
        try {
            prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an IPv4 CIDR: " + cidr);
        }
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("not an IPv4 CIDR: " + cidr);
        }
        return new Ipv4Pool(toLong(parts[0]) & mask(prefix), prefix);
    }

    boolean contains(String ip) {
        return isIpv4(ip) && (toLong(ip) & mask(prefix)) == network;
    }

    Stream<String> addresses() {
        long size = 1L << (32 - prefix);
        long first = prefix <= 30 ? network + 1 : network;
        long last = prefix <= 30 ? network + size - 2 : network + size - 1;
        return LongStream.rangeClosed(first, last).mapToObj(Ipv4Pool::format);
    }

    static boolean isIpv4(String s) {
        if (s == null) {
            return false;
        }
        String[] octets = s.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(Character::isDigit) || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    private static long mask(int prefix) {
        return prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    }

    private static long toLong(String ip) {
        long v = 0;
        for (String o : ip.split("\\.")) {
            v = (v << 8) | Integer.parseInt(o);
        }
        return v;
    }

    private static String format(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }
}

package dev.navis.client.rest;

import java.net.URI;
import java.util.List;

/**
 * The API servers a client may use and the one it uses now: a client-side balancer like k3s's. Requests go to
 * the current server; when one cannot be reached it is marked failed and the next one (in order, wrapping
 * around) becomes current, so a client keeps working while any server is up, and stays on a server that works.
 */
final class ServerList {
    private final List<URI> servers;
    private volatile int current;

    ServerList(List<URI> servers) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no API server");
        }
        this.servers = List.copyOf(servers);
    }

    URI current() {
        return servers.get(current);
    }

    int size() {
        return servers.size();
    }

    /**
     * A request to {@code requestUri} failed to reach its server: move on from that server, unless another
     * request has moved on already.
     */
    synchronized void failed(URI requestUri) {
        URI now = servers.get(current);
        if (sameServer(now, requestUri)) {
            current = (current + 1) % servers.size();
        }
    }

    private static boolean sameServer(URI server, URI request) {
        return server.getScheme().equalsIgnoreCase(request.getScheme())
                && String.valueOf(server.getHost()).equalsIgnoreCase(String.valueOf(request.getHost()))
                && port(server) == port(request);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
}

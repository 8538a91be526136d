package dev.navis.apiserver;

import org.eclipse.jetty.server.Handler;

/**
 * What serves the resource API (/api, /apis, /openapi and below) inside the {@link ApiServer}'s chain: the REST handler
 * in production. The chain has authenticated the request (see {@code UserInfo.ATTRIBUTE}) and parsed its
 * {@link RequestInfo} before the handler runs.
 */
public interface ResourceApi {
    Handler handler();

    /** Called after the HTTPS server listens; the API counts as ready (/readyz) once this returns. */
    void start() throws Exception;

    /** True while it can serve requests (e.g. its caches are filled); /readyz fails otherwise. */
    default boolean ready() {
        return true;
    }

    /**
     * Where pods reach this API server (its advertise address and bound secure port), told before {@link #start()}:
     * the endpoints of the default/kubernetes Service.
     */
    default void advertise(String address, int port) {
    }

    /** How subresources that reach kubelets (pods/log, exec, attach, portforward, proxies) connect to them. */
    /** Serves serviceaccounts/token with tokens signed by {@code tokens} (audiences: the API server's). */
    default void useServiceAccountTokens(dev.navis.apiserver.auth.ServiceAccountTokens tokens,
                                         java.util.List<String> audiences) {
    }

    default void useKubeletClient(dev.navis.apiserver.proxy.KubeletClient client) {
    }

    /**
     * Whether this request is a read that the handler answers from memory without blocking (a GET of one object
     * from an embedded store), so that it may run on the connection's I/O thread instead of a thread of its own.
     *
     * @param query the request's raw query string, or null
     */
    default boolean readsFromMemory(RequestInfo info, String query) {
        return false;
    }

    /** Objects stored per resource ("pods", "deployments.apps"), for the apiserver_storage_objects metric. */
    default java.util.Map<String, Long> storedObjects() {
        return java.util.Map.of();
    }

    /** Called at shutdown after short requests drained: ends watches and other long-running requests. */
    void stop() throws Exception;
}

package dev.navis.apiserver.auth;

import java.util.List;
import java.util.function.Predicate;

import dev.navis.apiserver.server.StatusResponse;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out who sent each request and stores the {@link UserInfo} as {@link UserInfo#ATTRIBUTE}. Invalid
 * credentials get 401 everywhere; a request without credentials proceeds as system:anonymous on the public
 * paths (health, version: upstream's system:public-info-viewer) and for reading kube-public/cluster-info
 * (what kubeadm's RBAC allows anonymous users), and gets 401 elsewhere.
 */
public final class AuthenticationHandler extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(AuthenticationHandler.class);
    private static final List<String> PUBLIC_TREES = List.of("/healthz", "/livez", "/readyz", "/version");

    private final List<Authenticator> authenticators;
    private final Predicate<String> isPublic;

    public AuthenticationHandler(List<Authenticator> authenticators, Handler next) {
        this(authenticators, AuthenticationHandler::isPublicInfo, next);
    }

    public AuthenticationHandler(List<Authenticator> authenticators, Predicate<String> isPublic, Handler next) {
        super(next);
        this.authenticators = List.copyOf(authenticators);
        this.isPublic = isPublic;
    }

    /** The paths anyone may read: /healthz, /livez, /readyz, /version and what is below them. */
    public static boolean isPublicInfo(String path) {
        for (String tree : PUBLIC_TREES) {
            if (path.equals(tree) || path.startsWith(tree) && path.charAt(tree.length()) == '/') {
                return true;
            }
        }
        return false;
    }

    /**
     * Anyone may read kube-public/cluster-info (the CA a joining node pins), as upstream's kubeadm grants
     * system:anonymous get on that one ConfigMap (Role kubeadm:bootstrap-signer-clusterinfo).
     */
    public static boolean isClusterInfoRead(String method, String path) {
        return ("GET".equals(method) || "HEAD".equals(method)) && path.equals(CLUSTER_INFO_PATH);
    }

    /** The one object anonymous users may read besides the public paths. */
    public static final String CLUSTER_INFO_PATH = "/api/v1/namespaces/kube-public/configmaps/cluster-info";

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        UserInfo user = null;
        try {
            for (Authenticator authenticator : authenticators) {
                user = authenticator.authenticate(request);
                if (user != null) {
                    break;
                }
            }
        } catch (AuthenticationException e) {
            LOG.debug("unable to authenticate the request from {}: {}", Request.getRemoteAddr(request), e.getMessage());
            return unauthorized(response, callback);
        }
        if (user == null) {
            String path = Request.getPathInContext(request);
            if (!isPublic.test(path) && !isClusterInfoRead(request.getMethod(), path)) {
                return unauthorized(response, callback);
            }
            user = UserInfo.anonymous();
        }
        request.setAttribute(UserInfo.ATTRIBUTE, user);
        return super.handle(request, response, callback);
    }

    private static boolean unauthorized(Response response, Callback callback) {
        StatusResponse.write(response, callback, HttpStatus.UNAUTHORIZED_401, "Unauthorized", "Unauthorized");
        return true;
    }
}

package dev.navis.apiserver.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import tools.jackson.databind.JsonNode;

/**
 * Upstream's service-account token authenticator for bound tokens (the TokenRequest API's JWTs): a bearer token
 * signed by this cluster's service-account key ({@link ServiceAccountTokens}) is valid while it has not expired,
 * names one of the API server's audiences, and the ServiceAccount it names (and the Pod or Secret it is bound to, if
 * any) still exists with the same uid; a bound Pod deleted more than a minute ago invalidates it. The user is
 * {@code system:serviceaccount:<ns>:<name>} (uid: the ServiceAccount's) in {@code system:serviceaccounts},
 * {@code system:serviceaccounts:<ns>} and {@code system:authenticated}. Tokens of another issuer, or not JWTs at
 * all, are left to the next authenticator.
 */
public final class ServiceAccountTokenAuthenticator implements Authenticator {
    /** Reads a stored object of a core/v1 resource ("serviceaccounts", "pods", "secrets"), or null. */
    @FunctionalInterface
    public interface ObjectLookup {
        JsonNode get(String resource, String namespace, String name);
    }

    public static final String USER_PREFIX = "system:serviceaccount:";
    public static final String ALL_GROUP = "system:serviceaccounts";
    /** go-jose's default leeway for exp, nbf and iat, which upstream's validator uses. */
    private static final Duration LEEWAY = Duration.ofMinutes(1);
    private static final String BEARER = "bearer ";

    private final ServiceAccountTokens tokens;
    private final Set<String> audiences;
    private final ObjectLookup objects;
    private final Clock clock;

    public ServiceAccountTokenAuthenticator(ServiceAccountTokens tokens, List<String> audiences, ObjectLookup objects,
                                            Clock clock) {
        this.tokens = tokens;
        this.audiences = Set.copyOf(audiences);
        this.objects = objects;
        this.clock = clock;
    }

    @Override
    public UserInfo authenticate(Request request) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || header.length() < BEARER.length()
                || !header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return null;
        }
        return authenticateToken(header.substring(BEARER.length()).trim());
    }

    /** The user of {@code token}; null when it is not a token of this issuer; throws when it is but is not valid. */
    public UserInfo authenticateToken(String token) {
        JsonNode claims = tokens.verify(token);
        if (claims == null) {
            return null;
        }
        Instant now = clock.instant();
        if (!claims.path("exp").isNumber() || !Instant.ofEpochSecond(claims.path("exp").asLong()).plus(LEEWAY).isAfter(now)) {
            throw new AuthenticationException("service-account token has expired");
        }
        if (claims.path("nbf").isNumber() && Instant.ofEpochSecond(claims.path("nbf").asLong()).minus(LEEWAY).isAfter(now)) {
            throw new AuthenticationException("service-account token is not valid yet");
        }
        if (!hasAudience(claims.path("aud"))) {
            throw new AuthenticationException("service-account token has no audience of this API server");
        }
        JsonNode k8s = claims.path("kubernetes.io");
        String namespace = k8s.path("namespace").asString("");
        String name = k8s.path("serviceaccount").path("name").asString("");
        String uid = k8s.path("serviceaccount").path("uid").asString("");
        if (namespace.isEmpty() || name.isEmpty() || !claims.path("sub").asString("").equals(USER_PREFIX + namespace + ":" + name)) {
            throw new AuthenticationException("service-account token names no service account");
        }
        JsonNode sa = objects.get("serviceaccounts", namespace, name);
        if (sa == null || !uid.equals(sa.path("metadata").path("uid").asString(""))) {
            throw new AuthenticationException("service account " + namespace + "/" + name + " has been deleted");
        }
        if (sa.path("metadata").has("deletionTimestamp")) {
            throw new AuthenticationException("service account " + namespace + "/" + name + " is being deleted");
        }
        requireBound(k8s.path("pod"), "pods", namespace, now, true);
        requireBound(k8s.path("secret"), "secrets", namespace, now, false);
        return new UserInfo(USER_PREFIX + namespace + ":" + name, uid,
                List.of(ALL_GROUP, ALL_GROUP + ":" + namespace)).withAuthenticatedGroup();
    }

    private boolean hasAudience(JsonNode aud) {
        if (aud.isString()) {
            return audiences.contains(aud.asString());
        }
        for (JsonNode a : aud) {
            if (audiences.contains(a.asString(""))) {
                return true;
            }
        }
        return false;
    }

    /** A bound object must still exist with the same uid; a pod deleted over a minute ago invalidates the token. */
    private void requireBound(JsonNode ref, String resource, String namespace, Instant now, boolean graceForDeletion) {
        if (ref.isMissingNode() || ref.isNull()) {
            return;
        }
        String name = ref.path("name").asString("");
        JsonNode obj = objects.get(resource, namespace, name);
        if (obj == null || !ref.path("uid").asString("").equals(obj.path("metadata").path("uid").asString(""))) {
            throw new AuthenticationException("the " + resource + " " + namespace + "/" + name
                    + " the service-account token is bound to no longer exists");
        }
        String deletion = obj.path("metadata").path("deletionTimestamp").asString("");
        if (!deletion.isEmpty()) {
            if (!graceForDeletion || Instant.parse(deletion).isBefore(now.minus(LEEWAY))) {
                throw new AuthenticationException("the " + resource + " " + namespace + "/" + name
                        + " the service-account token is bound to has been deleted");
            }
        }
    }
}

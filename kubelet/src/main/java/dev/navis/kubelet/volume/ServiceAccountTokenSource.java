package dev.navis.kubelet.volume;

import dev.navis.client.KubeClient;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokens of serviceAccountToken projections, as upstream's kubelet token manager: one TokenRequest per pod,
 * service account, audience and lifetime, bound to the pod, kept until 80% of its lifetime has passed (or 24 hours,
 * whichever comes first) and then requested again, so that every volume sync before then writes the same token and
 * the one after writes a fresh one. Expired tokens are dropped from the cache.
 */
public final class ServiceAccountTokenSource {
    /** Upstream's maxTTL: a token is renewed after a day even if it would live longer. */
    static final Duration MAX_TTL = Duration.ofHours(24);
    /** The projection's default lifetime (upstream's API defaulting of expirationSeconds). */
    static final long DEFAULT_EXPIRATION_SECONDS = 3600;

    private record Key(String namespace, String serviceAccount, String audience, long expirationSeconds, String podUid) {
    }

    private record Issued(String token, Instant issuedAt, Instant expiresAt) {
    }

    private final KubeClient client;
    private final Clock clock;
    private final Map<Key, Issued> cache = new ConcurrentHashMap<>();

    public ServiceAccountTokenSource(KubeClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** The token for {@code projection} of {@code pod}: the cached one while fresh, else a new TokenRequest. */
    public String token(Pod pod, ServiceAccountTokenProjection projection) {
        String namespace = pod.getMetadata().getNamespace();
        String serviceAccount = pod.getSpec().getServiceAccountName() == null
                || pod.getSpec().getServiceAccountName().isEmpty() ? "default" : pod.getSpec().getServiceAccountName();
        String audience = projection.getAudience() == null ? "" : projection.getAudience();
        long seconds = projection.getExpirationSeconds() == null ? DEFAULT_EXPIRATION_SECONDS
                : projection.getExpirationSeconds();
        Key key = new Key(namespace, serviceAccount, audience, seconds, pod.getMetadata().getUid());
        Instant now = clock.now();
        cache.values().removeIf(issued -> !issued.expiresAt().isAfter(now));
        Issued cached = cache.get(key);
        if (cached != null && !needsRefresh(cached, now)) {
            return cached.token();
        }
        JsonNode answer = client.serviceAccounts().namespace(namespace)
                .createSubresource(serviceAccount, "token", request(pod, audience, seconds), JsonNode.class);
        Instant expiresAt = Instant.parse(answer.path("status").path("expirationTimestamp").asString());
        long granted = answer.path("spec").path("expirationSeconds").asLong(seconds);
        Issued issued = new Issued(answer.path("status").path("token").asString(), expiresAt.minusSeconds(granted),
                expiresAt);
        cache.put(key, issued);
        return issued.token();
    }

    /** An authentication.k8s.io/v1 TokenRequest bound to the pod (no audience: the API server's). */
    static ObjectNode request(Pod pod, String audience, long seconds) {
        ObjectNode request = dev.navis.client.Json.MAPPER.createObjectNode();
        request.put("apiVersion", "authentication.k8s.io/v1");
        request.put("kind", "TokenRequest");
        ObjectNode spec = request.putObject("spec");
        if (!audience.isEmpty()) {
            spec.putArray("audiences").add(audience);
        }
        spec.put("expirationSeconds", seconds);
        ObjectNode ref = spec.putObject("boundObjectRef");
        ref.put("apiVersion", "v1");
        ref.put("kind", "Pod");
        ref.put("name", pod.getMetadata().getName());
        ref.put("uid", pod.getMetadata().getUid());
        return request;
    }

    /** Upstream's requiresRefresh: past 80% of the lifetime, or older than {@link #MAX_TTL}. */
    static boolean needsRefresh(Instant issuedAt, Instant expiresAt, Instant now) {
        Duration lifetime = Duration.between(issuedAt, expiresAt);
        Instant refreshAt = issuedAt.plus(lifetime.multipliedBy(8).dividedBy(10));
        return !now.isBefore(refreshAt) || !now.isBefore(issuedAt.plus(MAX_TTL));
    }

    private static boolean needsRefresh(Issued issued, Instant now) {
        return needsRefresh(issued.issuedAt(), issued.expiresAt(), now);
    }

    /** Forgets the tokens of a pod that is gone. */
    public void forgetPod(String podUid) {
        cache.keySet().removeIf(k -> k.podUid().equals(podUid));
    }
}

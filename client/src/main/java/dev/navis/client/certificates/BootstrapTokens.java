package dev.navis.client.certificates;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bootstrap token Secrets as upstream keeps them (k8s.io/cluster-bootstrap/token/api): Secret
 * {@code kube-system/bootstrap-token-<id>} of type {@code bootstrap.kubernetes.io/token} with the keys below.
 */
public final class BootstrapTokens {
    public static final String NAMESPACE = "kube-system";
    public static final String SECRET_PREFIX = "bootstrap-token-";
    public static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
    public static final String TOKEN_ID = "token-id";
    public static final String TOKEN_SECRET = "token-secret";
    public static final String EXPIRATION = "expiration";
    public static final String DESCRIPTION = "description";
    public static final String USAGE_AUTHENTICATION = "usage-bootstrap-authentication";
    public static final String USAGE_SIGNING = "usage-bootstrap-signing";
    public static final String EXTRA_GROUPS = "auth-extra-groups";
    /** The group every bootstrap token user is in. */
    public static final String BOOTSTRAPPERS_GROUP = "system:bootstrappers";
    /** Extra groups must start with this (bootstrapapi.BootstrapGroupPattern). */
    public static final String EXTRA_GROUP_PREFIX = "system:bootstrappers:";
    /** The user name prefix of bootstrap token users. */
    public static final String USER_PREFIX = "system:bootstrap:";
    /** kubeadm's default extra group for node join tokens. */
    public static final String DEFAULT_NODE_TOKEN_GROUP = "system:bootstrappers:kubeadm:default-node-token";

    private BootstrapTokens() {
    }

    /**
     * The Secret for {@code token}, valid for {@code ttl} from {@code now} (null or zero: never expires), usable for
     * authentication and signing, in {@link #DEFAULT_NODE_TOKEN_GROUP} as kubeadm's node tokens are.
     */
    public static Secret secret(JoinToken token, Duration ttl, Instant now, String description) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(TOKEN_ID, token.id());
        data.put(TOKEN_SECRET, token.secret());
        if (ttl != null && !ttl.isZero()) {
            data.put(EXPIRATION, DateTimeFormatter.ISO_INSTANT.format(now.plus(ttl).truncatedTo(ChronoUnit.SECONDS)));
        }
        if (description != null && !description.isEmpty()) {
            data.put(DESCRIPTION, description);
        }
        data.put(USAGE_AUTHENTICATION, "true");
        data.put(USAGE_SIGNING, "true");
        data.put(EXTRA_GROUPS, DEFAULT_NODE_TOKEN_GROUP);
        return new SecretBuilder().withNewMetadata().withName(token.secretName()).withNamespace(NAMESPACE).endMetadata()
                .withType(SECRET_TYPE).withStringData(data).build();
    }
}

package dev.navis.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class BootstrapTokenAuthenticatorTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    private final Map<String, JsonNode> secrets = new HashMap<>();
    private final BootstrapTokenAuthenticator authenticator =
            new BootstrapTokenAuthenticator(secrets::get, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void validTokenIsTheBootstrapUserInBootstrappersAndExtraGroups() {
        secrets.put("bootstrap-token-abcdef", secret("abcdef", "0123456789abcdef", Map.of(
                "expiration", "2026-06-02T00:00:00Z", "auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token")));

        UserInfo user = authenticator.authenticateToken("abcdef.0123456789abcdef");

        assertThat(user.name()).isEqualTo("system:bootstrap:abcdef");
        assertThat(user.groups()).containsExactly("system:bootstrappers",
                "system:bootstrappers:kubeadm:default-node-token", "system:authenticated");
    }

    @Test
    void tokensOfOtherFormsAreLeftToTheNextAuthenticator() {
        assertThat(authenticator.authenticateToken("admin-token-from-the-file")).isNull();
        assertThat(authenticator.authenticateToken("ABCDEF.0123456789abcdef")).isNull();
    }

    @Test
    void unknownWrongSecretExpiredOrUnusableTokensAreRefused() {
        assertThatThrownBy(() -> authenticator.authenticateToken("zzzzzz.0123456789abcdef"))
                .isInstanceOf(AuthenticationException.class);

        secrets.put("bootstrap-token-abcdef", secret("abcdef", "0123456789abcdef", Map.of()));
        assertThatThrownBy(() -> authenticator.authenticateToken("abcdef.aaaaaaaaaaaaaaaa"))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("wrong secret");

        secrets.put("bootstrap-token-abcdef", secret("abcdef", "0123456789abcdef",
                Map.of("expiration", "2026-06-01T11:59:59Z")));
        assertThatThrownBy(() -> authenticator.authenticateToken("abcdef.0123456789abcdef"))
                .hasMessageContaining("expired");

        ObjectNode noAuth = secret("abcdef", "0123456789abcdef", Map.of());
        ((ObjectNode) noAuth.get("data")).put("usage-bootstrap-authentication", b64("false"));
        secrets.put("bootstrap-token-abcdef", noAuth);
        assertThatThrownBy(() -> authenticator.authenticateToken("abcdef.0123456789abcdef"))
                .hasMessageContaining("not usable for authentication");

        ObjectNode opaque = secret("abcdef", "0123456789abcdef", Map.of());
        opaque.put("type", "Opaque");
        secrets.put("bootstrap-token-abcdef", opaque);
        assertThatThrownBy(() -> authenticator.authenticateToken("abcdef.0123456789abcdef"))
                .hasMessageContaining("not of type");

        secrets.put("bootstrap-token-abcdef", secret("abcdef", "0123456789abcdef",
                Map.of("auth-extra-groups", "system:masters")));
        assertThatThrownBy(() -> authenticator.authenticateToken("abcdef.0123456789abcdef"))
                .hasMessageContaining("does not start with system:bootstrappers:");

        ObjectNode deleting = secret("abcdef", "0123456789abcdef", Map.of());
        ((ObjectNode) deleting.get("metadata")).put("deletionTimestamp", "2026-06-01T11:00:00Z");
        secrets.put("bootstrap-token-abcdef", deleting);
        assertThatThrownBy(() -> authenticator.authenticateToken("abcdef.0123456789abcdef"))
                .hasMessageContaining("being deleted");
    }

    private static ObjectNode secret(String id, String secret, Map<String, String> extra) {
        Map<String, String> data = new LinkedHashMap<>(Map.of("token-id", id, "token-secret", secret,
                "usage-bootstrap-authentication", "true"));
        data.putAll(extra);
        ObjectNode o = JSON.createObjectNode();
        o.putObject("metadata").put("name", "bootstrap-token-" + id).put("namespace", "kube-system");
        o.put("type", "bootstrap.kubernetes.io/token");
        ObjectNode d = o.putObject("data");
        data.forEach((k, v) -> d.put(k, b64(v)));
        return o;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

}

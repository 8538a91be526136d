package dev.navis.apiserver.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import tools.jackson.databind.JsonNode;

/**
 * Upstream's bootstrap token authenticator (plugin/pkg/auth/authenticator/token/bootstrap): a bearer token
 * {@code <id>.<secret>} names the Secret {@code kube-system/bootstrap-token-<id>} of type
 * {@code bootstrap.kubernetes.io/token}; when its token-secret matches, it has not expired, is not being deleted and
 * allows {@code usage-bootstrap-authentication}, the request is user {@code system:bootstrap:<id>} in
 * {@code system:bootstrappers} plus the Secret's {@code auth-extra-groups}. A token of that form that fails any check
 * is refused with 401; tokens of other forms are left to the next authenticator.
 */
public final class BootstrapTokenAuthenticator implements Authenticator {
    private static final Pattern TOKEN = Pattern.compile("^([a-z0-9]{6})\\.([a-z0-9]{16})$");
    private static final String BEARER = "bearer ";
    static final String NAMESPACE = "kube-system";
    static final String SECRET_PREFIX = "bootstrap-token-";
    static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
    static final String GROUP = "system:bootstrappers";
    private static final String EXTRA_GROUP_PREFIX = "system:bootstrappers:";

    private final Function<String, JsonNode> secrets;
    private final Clock clock;

    /** @param secrets reads a kube-system Secret by name (its JSON, data base64-encoded as stored), or null */
    public BootstrapTokenAuthenticator(Function<String, JsonNode> secrets, Clock clock) {
        this.secrets = secrets;
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

    /** The user of {@code token}; null when it is not of the bootstrap form; throws when it is but is not valid. */
    public UserInfo authenticateToken(String token) {
        Matcher m = TOKEN.matcher(token);
        if (!m.matches()) {
            return null;
        }
        String id = m.group(1);
        JsonNode secret = secrets.apply(SECRET_PREFIX + id);
        if (secret == null) {
            throw new AuthenticationException("no bootstrap token Secret " + SECRET_PREFIX + id);
        }
        if (secret.path("metadata").has("deletionTimestamp")) {
            throw new AuthenticationException("bootstrap token " + id + " is being deleted");
        }
        if (!SECRET_TYPE.equals(secret.path("type").asString(""))) {
            throw new AuthenticationException("Secret " + SECRET_PREFIX + id + " is not of type " + SECRET_TYPE);
        }
        JsonNode data = secret.path("data");
        String secretValue = value(data, "token-secret");
        if (!MessageDigest.isEqual(secretValue.getBytes(StandardCharsets.UTF_8),
                m.group(2).getBytes(StandardCharsets.UTF_8))) {
            throw new AuthenticationException("bootstrap token " + id + ": wrong secret");
        }
        if (!value(data, "token-id").equals(id)) {
            throw new AuthenticationException("bootstrap token " + id + ": token-id does not match");
        }
        if (expired(value(data, "expiration"))) {
            throw new AuthenticationException("bootstrap token " + id + " has expired");
        }
        if (!"true".equals(value(data, "usage-bootstrap-authentication"))) {
            throw new AuthenticationException("bootstrap token " + id + " is not usable for authentication");
        }
        List<String> groups = new ArrayList<>(List.of(GROUP));
        String extra = value(data, "auth-extra-groups");
        if (!extra.isEmpty()) {
            for (String group : extra.split(",")) {
                String g = group.trim();
                if (!g.startsWith(EXTRA_GROUP_PREFIX)) {
                    throw new AuthenticationException("bootstrap token " + id + ": extra group " + g
                            + " does not start with " + EXTRA_GROUP_PREFIX);
                }
                if (!groups.contains(g)) {
                    groups.add(g);
                }
            }
        }
        return new UserInfo("system:bootstrap:" + id, "", groups).withAuthenticatedGroup();
    }

    private boolean expired(String expiration) {
        if (expiration.isEmpty()) {
            return false;
        }
        try {
            return !Instant.parse(expiration).isAfter(clock.instant());
        } catch (DateTimeParseException e) {
            return true; // upstream treats an unparsable expiration as expired
        }
    }

    private static String value(JsonNode data, String key) {
        String encoded = data.path(key).asString("");
        if (encoded.isEmpty()) {
            return "";
        }
        try {
            return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}

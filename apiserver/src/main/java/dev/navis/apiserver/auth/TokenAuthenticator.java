package dev.navis.apiserver.auth;

import java.util.Locale;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/** Bearer tokens ({@code Authorization: Bearer <token>}) looked up in a fixed table, e.g. from a {@link TokenFile}. */
public final class TokenAuthenticator implements Authenticator {
    private static final String BEARER = "bearer ";

    private final Map<String, UserInfo> tokens;

    public TokenAuthenticator(Map<String, UserInfo> tokens) {
        this.tokens = Map.copyOf(tokens);
    }

    @Override
    public UserInfo authenticate(Request request) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header == null || header.length() < BEARER.length()
                || !header.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return null;
        }
        String token = header.substring(BEARER.length()).trim();
        UserInfo user = token.isEmpty() ? null : tokens.get(token);
        if (user == null) {
            throw new AuthenticationException("invalid bearer token");
        }
        return user.withAuthenticatedGroup();
    }
}

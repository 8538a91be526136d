package dev.navis.apiserver.auth;

/** Credentials were presented but are not valid; the request gets 401 Unauthorized. */
public final class AuthenticationException extends RuntimeException {
    public AuthenticationException(String message) {
        super(message);
    }
}

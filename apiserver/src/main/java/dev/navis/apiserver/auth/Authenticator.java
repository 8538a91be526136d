package dev.navis.apiserver.auth;

import org.eclipse.jetty.server.Request;

/** One way of proving who sent a request (client certificate, bearer token, ...). */
public interface Authenticator {
    /**
     * The user the request's credentials of this kind name.
     *
     * @return null when the request carries no credentials of this kind
     * @throws AuthenticationException when it carries credentials of this kind that are not valid
     */
    UserInfo authenticate(Request request);
}

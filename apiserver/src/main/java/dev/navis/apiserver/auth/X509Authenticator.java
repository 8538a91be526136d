package dev.navis.apiserver.auth;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLSession;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Client certificates signed by the cluster CA: the subject's CN is the user name and each O a group, as
 * upstream's x509 authenticator reads them. The TLS handshake already checked the chain against the CA; this
 * checks again (signature and validity) and remembers the answer on the TLS session, so a connection's later
 * requests cost a lookup.
 */
public final class X509Authenticator implements Authenticator {
    private static final String SESSION_KEY = "dev.navis.apiserver.auth.x509User";

    private final X509Certificate ca;

    public X509Authenticator(X509Certificate ca) {
        this.ca = ca;
    }

    @Override
    public UserInfo authenticate(Request request) {
        if (!(request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE) instanceof EndPoint.SslSessionData tls)) {
            return null;
        }
        X509Certificate[] chain = tls.peerCertificates();
        if (chain == null || chain.length == 0) {
            return null;
        }
        SSLSession session = tls.sslSession();
        if (session != null && session.getValue(SESSION_KEY) instanceof UserInfo known
                && chain[0].getNotAfter().getTime() > System.currentTimeMillis()) {
            return known;
        }
        UserInfo user = userOf(chain[0]);
        if (session != null) {
            session.putValue(SESSION_KEY, user);
        }
        return user;
    }

    /** The user a client certificate names, after checking that the CA signed it and that it is valid now. */
    UserInfo userOf(X509Certificate certificate) {
        try {
            certificate.verify(ca.getPublicKey());
            certificate.checkValidity();
        } catch (GeneralSecurityException e) {
            throw new AuthenticationException("x509: certificate signed by unknown authority or expired");
        }
        String name = null;
        List<String> groups = new ArrayList<>();
        try {
            // LdapName's index 0 is the first RDN of the encoded subject, so groups keep the certificate's order
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    name = rdn.getValue().toString();
                } else if (rdn.getType().equalsIgnoreCase("O")) {
                    groups.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            throw new AuthenticationException("x509: unreadable subject");
        }
        if (name == null || name.isEmpty()) {
            throw new AuthenticationException("x509: subject with no common name");
        }
        return new UserInfo(name, "", groups).withAuthenticatedGroup();
    }
}

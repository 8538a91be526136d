package dev.navis.api.tls;

import java.security.Provider;
import java.security.Security;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The TLS provider of the API server's connector and of the components' API clients: Conscrypt (BoringSSL) when
 * its native library loads on this machine, since the JDK's SSLEngine spent about a seventh of a pod create's CPU
 * wrapping and unwrapping small records; otherwise, or with {@code -Dnavis.conscrypt=false}, the JDK's own.
 */
public final class ConscryptProvider {
    private static final Logger LOG = Logger.getLogger(ConscryptProvider.class.getName());
    /** Guarded by the class: set once by {@link #name()}. */
    private static String name;
    private static boolean tried;

    private ConscryptProvider() {
    }

    /** The registered provider's name (for SSLContext.getInstance or SslContextFactory.setProvider), or null for
     * the JDK's default provider. */
    public static synchronized String name() {
        if (tried) {
            return name;
        }
        tried = true;
        if (!Boolean.parseBoolean(System.getProperty("navis.conscrypt", "true"))) {
            return null;
        }
        try {
            if (!org.conscrypt.Conscrypt.isAvailable()) {
                LOG.info("Conscrypt's native library is not available here: TLS by the JDK");
                return null;
            }
            Provider provider = org.conscrypt.Conscrypt.newProvider();
            if (Security.getProvider(provider.getName()) == null) {
                // last in the list: only the connector that asks for it by name uses it
                Security.addProvider(provider);
            }
            name = provider.getName();
            LOG.info("TLS by Conscrypt " + org.conscrypt.Conscrypt.version().major() + "."
                    + org.conscrypt.Conscrypt.version().minor() + "." + org.conscrypt.Conscrypt.version().patch());
        } catch (LinkageError | RuntimeException e) {
            LOG.log(Level.INFO, "Conscrypt cannot load here (" + e + "): TLS by the JDK");
        }
        return name;
    }
}

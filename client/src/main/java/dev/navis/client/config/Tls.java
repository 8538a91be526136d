package dev.navis.client.config;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** Builds the SSLContext of a cluster + user: who we trust and which certificate we present. */
public final class Tls {

    private static final char[] NO_PASSWORD = new char[0];

    private Tls() {
    }

    /**
     * @param trusted    CA certificates; empty means the JDK's default trust store
     * @param insecure   trust any server certificate and skip host name checks (insecure-skip-tls-verify)
     * @param key        client key, or null for no client certificate
     * @param clientCert client certificate chain (leaf first) matching {@code key}
     */
    public static SSLContext context(List<X509Certificate> trusted, boolean insecure, PrivateKey key,
                                     List<X509Certificate> clientCert) {
        try {
            String provider = dev.navis.api.tls.ConscryptProvider.name();
            TrustManager[] trust = null;
            if (insecure) {
                trust = new TrustManager[] {new TrustAll()};
            } else if (!trusted.isEmpty()) {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                for (int i = 0; i < trusted.size(); i++) {
                    ts.setCertificateEntry("ca-" + i, trusted.get(i));
                }
                // Conscrypt's own: it hands TLS 1.3 handshakes to the trust manager as auth type GENERIC, which
                // the JDK's rejects
                TrustManagerFactory tmf = provider == null
                        ? TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
                        : TrustManagerFactory.getInstance("PKIX", provider);
                tmf.init(ts);
                trust = tmf.getTrustManagers();
            }
            KeyManager[] keys = null;
            if (key != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("client", key, NO_PASSWORD, clientCert.toArray(new X509Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, NO_PASSWORD);
                keys = kmf.getKeyManagers();
            }
            SSLContext ctx = provider == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", provider);
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("cannot build TLS context: " + e.getMessage(), e);
        }
    }

    /** Accepts every server; being an X509ExtendedTrustManager it also turns off host name verification. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

package dev.navis.apiserver;

import java.net.http.HttpClient;
import java.security.KeyStore;
import java.time.Duration;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.navis.apiserver.certs.ClusterCertificates;

/** HTTPS clients for a test server: trusting its CA, with or without the admin's client certificate. */
final class TestClients {
    private TestClients() {
    }

    static HttpClient withClientCertificate(ClusterCertificates pki) {
        return client(pki, pki.adminKeyStore("test".toCharArray()));
    }

    static HttpClient withoutClientCertificate(ClusterCertificates pki) {
        return client(pki, null);
    }

    private static HttpClient client(ClusterCertificates pki, KeyStore keys) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(pki.trustStore());
            KeyManagerFactory keyManagers = null;
            if (keys != null) {
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, "test".toCharArray());
            }
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trust.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

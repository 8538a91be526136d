package dev.navis.apiserver.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How the API server reaches kubelets (and, for pods/proxy, pods): HTTPS with the API server's kubelet client
 * certificate, as kube-apiserver's {@code --kubelet-client-certificate}. Like upstream without
 * {@code --kubelet-certificate-authority}, the kubelet's serving certificate is not verified unless a trust store
 * is given (kubelets commonly serve a self-signed certificate).
 *
 * <p>Two ways to talk: {@link #http()} for plain requests whose answer streams back (logs, nodes/proxy), and
 * {@link #dial(URI)} for a raw connection over which {@link UpgradeAwareProxy} writes an upgrade request and then
 * tunnels bytes.
 */
public final class KubeletClient {
    /** Upstream's dial timeout toward kubelets. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final SSLContext tls;
    private final boolean verify;
    private final HttpClient http;

    /**
     * @param clientKeyStore the client certificate and key presented to kubelets, or null for none
     * @param password       its password
     * @param trustStore     CAs that sign kubelet serving certificates, or null to skip verification
     */
    public KubeletClient(KeyStore clientKeyStore, char[] password, KeyStore trustStore) {
        try {
            KeyManagerFactory keys = null;
            if (clientKeyStore != null) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(clientKeyStore, password);
            }
            TrustManager[] trust;
            if (trustStore != null) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trustStore);
                trust = tmf.getTrustManagers();
            } else {
                trust = new TrustManager[] {new TrustingManager()};
            }
            tls = SSLContext.getInstance("TLS");
            tls.init(keys == null ? null : keys.getKeyManagers(), trust, new SecureRandom());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS toward kubelets", e);
        }
        this.verify = trustStore != null;
        SSLParameters params = tls.getDefaultSSLParameters();
        params.setApplicationProtocols(new String[] {"http/1.1"});
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(tls)
                .sslParameters(params)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A client without a client certificate that does not verify servers (tests, pods/proxy). */
    public static KubeletClient insecure() {
        return new KubeletClient(null, null, null);
    }

    /** The HTTP client for non-upgrade requests. */
    public HttpClient http() {
        return http;
    }

    /** Opens a connection to the location's host and port: TLS for https, plain TCP for http. */
    public Socket dial(URI location) throws IOException {
        boolean https = "https".equalsIgnoreCase(location.getScheme());
        int port = location.getPort() > 0 ? location.getPort() : https ? 443 : 80;
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(location.getHost(), port), (int) CONNECT_TIMEOUT.toMillis());
            plain.setTcpNoDelay(true);
            if (!https) {
                return plain;
            }
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, location.getHost(), port, true);
            SSLParameters params = socket.getSSLParameters();
            params.setApplicationProtocols(new String[] {"http/1.1"});
            if (verify) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            socket.setSSLParameters(params);
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** Accepts any server certificate: upstream's behaviour toward kubelets when no kubelet CA is configured. */
    private static final class TrustingManager extends X509ExtendedTrustManager {
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

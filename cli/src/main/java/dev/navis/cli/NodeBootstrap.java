package dev.navis.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import dev.navis.client.KubeClient;
import dev.navis.client.certificates.CertificateRequests;
import dev.navis.client.certificates.CertificateSigningRequests;
import dev.navis.client.certificates.JoinToken;
import dev.navis.client.certificates.Signers;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.config.KubeConfig;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.config.Pem;
import dev.navis.client.config.Tls;
import dev.navis.client.rest.RestKubeClient;
import io.fabric8.kubernetes.api.model.ConfigMap;

/**
 * How {@code navis agent --server URL --token K10…} gets its own credentials, as kubeadm join and the kubelet's TLS
 * bootstrap do: read the CA from kube-public/cluster-info without trusting the server yet, check it against the
 * hash in the join token (refuse on mismatch), then — authenticated by the bootstrap token and trusting only that
 * CA — submit a CertificateSigningRequest for {@code CN=system:node:<name>, O=system:nodes} (signer
 * kubernetes.io/kube-apiserver-client-kubelet), wait for the controller manager to approve and sign it, and write
 * {@code <data-dir>/kubelet.kubeconfig} with the new key and certificate. A later start reuses that kubeconfig while
 * its certificate is valid for this CA. The kubelet's serving certificate is requested the same way with the node's
 * own credentials (signer kubernetes.io/kubelet-serving, SANs = the node's name and addresses).
 */
final class NodeBootstrap {
    static final String KUBECONFIG_FILE = "kubelet.kubeconfig";
    static final String SERVING_CERT_FILE = "kubelet-serving.crt";
    static final String SERVING_KEY_FILE = "kubelet-serving.key";
    /** Certificates closer than this to their end are requested again at start. */
    private static final Duration RENEW_BEFORE = Duration.ofDays(1);

    /** The node's kubeconfig and the cluster CA it trusts. */
    record Credentials(Path kubeconfig, byte[] caPem) {
        ClientConfig clientConfig() {
            return KubeConfigLoader.load(kubeconfig).clientConfig();
        }
    }

    private NodeBootstrap() {
    }

    /**
     * The node's credentials under {@code dataDir}: reused when present and valid for the token's CA, else made by
     * the bootstrap flow above.
     *
     * @throws IllegalStateException with the reason when the CA does not match, the token is refused, or the request
     *                               is denied or not signed within {@code timeout}
     */
    static Credentials bootstrap(URI server, JoinToken token, Path dataDir, String nodeName, Duration timeout)
            throws InterruptedException {
        Path kubeconfig = dataDir.resolve(KUBECONFIG_FILE);
        if (Files.isRegularFile(kubeconfig)) {
            Credentials existing = reusable(kubeconfig, token, nodeName);
            if (existing != null) {
                return existing;
            }
        }
        byte[] caPem = discoverCa(server);
        if (!token.matchesCa(caPem)) {
            throw new IllegalStateException("the cluster CA served by " + server + " has sha256 " + JoinToken.caHash(caPem)
                    + ", but the token pins " + token.caHash() + ": refusing to join (wrong server or token?)");
        }
        List<X509Certificate> ca = Pem.certificates(caPem);
        ClientConfig bootstrapConfig = new ClientConfig(server, Tls.context(ca, false, null, List.of()),
                token::bootstrapToken, null, "default", ClientConfig.DEFAULT_QPS, ClientConfig.DEFAULT_BURST,
                "navis-agent/" + nodeName + " (bootstrap)");
        KeyPair keys = CertificateRequests.newKeyPair();
        byte[] certificate;
        try (RestKubeClient client = RestKubeClient.create(bootstrapConfig)) {
            certificate = requestCertificate(client, keys, Signers.NODE_USER_PREFIX + nodeName, List.of(), List.of(),
                    Signers.KUBE_APISERVER_CLIENT_KUBELET, List.of(Signers.DIGITAL_SIGNATURE, Signers.CLIENT_AUTH), timeout);
        } catch (dev.navis.client.ApiException e) {
            throw new IllegalStateException("the server refused the bootstrap token: " + e.getMessage(), e);
        }
        writeKubeconfig(kubeconfig, server, caPem, certificate, keys.getPrivate());
        return new Credentials(kubeconfig, caPem);
    }

    /**
     * The kubelet's serving certificate (kubernetes.io/kubelet-serving) for the node's name and addresses, reused
     * from {@code dataDir} while valid for {@code caPem} and the same names, as a key store under {@code password}.
     */
    static KeyStore servingCertificate(KubeClient nodeClient, byte[] caPem, Path dataDir, String nodeName,
                                       List<InetAddress> addresses, Duration timeout, char[] password)
            throws InterruptedException {
        Path crt = dataDir.resolve(SERVING_CERT_FILE);
        Path keyFile = dataDir.resolve(SERVING_KEY_FILE);
        try {
            X509Certificate ca = Pem.certificates(caPem).get(0);
            byte[] certificate;
            PrivateKey key;
            if (Files.isRegularFile(crt) && Files.isRegularFile(keyFile)
                    && usable(Pem.certificates(Files.readAllBytes(crt)).get(0), ca)
                    && sameAddresses(Pem.certificates(Files.readAllBytes(crt)).get(0), nodeName, addresses)) {
                certificate = Files.readAllBytes(crt);
                key = Pem.privateKey(Files.readAllBytes(keyFile));
            } else {
                KeyPair keys = CertificateRequests.newKeyPair();
                certificate = requestCertificate(nodeClient, keys, Signers.NODE_USER_PREFIX + nodeName, List.of(nodeName),
                        addresses, Signers.KUBELET_SERVING, List.of(Signers.DIGITAL_SIGNATURE, Signers.SERVER_AUTH), timeout);
                key = keys.getPrivate();
                writePrivate(keyFile, CertificateRequests.pem("PRIVATE KEY", key.getEncoded()));
                Files.write(crt, certificate);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            List<X509Certificate> chain = Pem.certificates(certificate);
            store.setKeyEntry("key", key, password, chain.toArray(new java.security.cert.Certificate[0]));
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the kubelet serving certificate in " + dataDir, e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the kubelet serving key store", e);
        }
    }

    /** The CA bundle (PEM) in kube-public/cluster-info, read without trusting the server (the token's hash checks it). */
    static byte[] discoverCa(URI server) {
        ClientConfig anonymous = new ClientConfig(server, Tls.context(List.of(), true, null, List.of()), () -> null,
                null, "default", ClientConfig.DEFAULT_QPS, ClientConfig.DEFAULT_BURST, "navis-agent (discovery)");
        ConfigMap info;
        try (RestKubeClient client = RestKubeClient.create(anonymous)) {
            info = client.configMaps().namespace(ClusterInfo.NAMESPACE).get(ClusterInfo.NAME);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read " + ClusterInfo.NAMESPACE + "/" + ClusterInfo.NAME + " from "
                    + server + ": " + e.getMessage(), e);
        }
        String kubeconfig = info == null || info.getData() == null ? null : info.getData().get(ClusterInfo.KUBECONFIG_KEY);
        if (kubeconfig == null) {
            throw new IllegalStateException(server + " publishes no kubeconfig in " + ClusterInfo.NAMESPACE + "/"
                    + ClusterInfo.NAME);
        }
        KubeConfig parsed = KubeConfigLoader.parse(kubeconfig, null);
        for (var cluster : parsed.clusters().values()) {
            String data = cluster.certificateAuthorityData();
            if (data != null && !data.isEmpty()) {
                return Base64.getMimeDecoder().decode(data);
            }
        }
        throw new IllegalStateException(ClusterInfo.NAMESPACE + "/" + ClusterInfo.NAME + " names no CA");
    }

    private static byte[] requestCertificate(KubeClient client, KeyPair keys, String commonName, List<String> dnsNames,
                                             List<InetAddress> addresses, String signer, List<String> usages,
                                             Duration timeout) throws InterruptedException {
        String request = CertificateRequests.create(keys, commonName, List.of(Signers.NODES_GROUP), dnsNames, addresses);
        var csr = CertificateSigningRequests.submit(client, request, signer, usages);
        return CertificateSigningRequests.awaitCertificate(client, csr.getMetadata().getName(), timeout);
    }

    private static Credentials reusable(Path kubeconfig, JoinToken token, String nodeName) {
        try {
            byte[] caPem = KubeletApi.clusterCa(kubeconfig);
            KubeConfig config = KubeConfigLoader.load(kubeconfig);
            var user = config.users().get(config.contexts().get(config.currentContext()).user());
            X509Certificate cert = Pem.certificates(Base64.getMimeDecoder().decode(user.clientCertificateData())).get(0);
            boolean mine = cert.getSubjectX500Principal().getName().contains("CN=" + Signers.NODE_USER_PREFIX + nodeName);
            return caPem != null && token.matchesCa(caPem) && mine && usable(cert, Pem.certificates(caPem).get(0))
                    ? new Credentials(kubeconfig, caPem) : null;
        } catch (RuntimeException e) {
            return null; // unreadable: bootstrap again
        }
    }

    private static boolean usable(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            certificate.checkValidity(java.util.Date.from(Instant.now().plus(RENEW_BEFORE)));
            return true;
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean sameAddresses(X509Certificate certificate, String nodeName, List<InetAddress> addresses) {
        try {
            java.util.Set<String> have = new java.util.HashSet<>();
            for (List<?> san : certificate.getSubjectAlternativeNames()) {
                have.add(san.get(1).toString());
            }
            java.util.Set<String> want = new java.util.HashSet<>();
            want.add(nodeName);
            addresses.forEach(a -> want.add(a.getHostAddress()));
            return have.equals(want);
        } catch (java.security.cert.CertificateParsingException | NullPointerException e) {
            return false;
        }
    }

    private static void writeKubeconfig(Path file, URI server, byte[] caPem, byte[] certificate, PrivateKey key) {
        Base64.Encoder b64 = Base64.getEncoder();
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: default
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                contexts:
                - name: default
                  context:
                    cluster: default
                    user: default
                current-context: default
                preferences: {}
                users:
                - name: default
                  user:
                    client-certificate-data: %s
                    client-key-data: %s
                """.formatted(server, b64.encodeToString(caPem), b64.encodeToString(certificate),
                b64.encodeToString(CertificateRequests.pem("PRIVATE KEY", key.getEncoded())
                        .getBytes(StandardCharsets.US_ASCII)));
        writePrivate(file, yaml);
    }

    /** Writes a file only its owner reads (it holds a private key), atomically. */
    private static void writePrivate(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}

package dev.navis.apiserver.certs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * The API server's client certificate toward kubelets (kubeadm's {@code apiserver-kubelet-client.crt}): user
 * {@code kube-apiserver-kubelet-client} in group {@code system:masters}, issued by the cluster CA and kept
 * beside the other certificates; renewed when it no longer verifies against the CA or is close to expiry.
 */
public final class KubeletClientCertificate {
    public static final String USER = "kube-apiserver-kubelet-client";
    public static final String GROUP = "system:masters";
    static final String FILE_NAME = "apiserver-kubelet-client";

    private KubeletClientCertificate() {
    }

    /** The certificate and key from {@code dir}, made when missing or stale, as a key store under {@code password}. */
    public static KeyStore loadOrCreate(Path dir, ClusterCertificates cluster, char[] password) {
        Path crt = dir.resolve(FILE_NAME + ".crt");
        Path key = dir.resolve(FILE_NAME + ".key");
        try {
            X509Certificate certificate = Files.isRegularFile(crt) && Files.isRegularFile(key)
                    ? Pem.readCertificate(crt) : null;
            if (certificate == null || !usable(certificate, cluster.ca())) {
                KeyPair keys = CertificateIssuer.newKeyPair();
                certificate = CertificateIssuer.clientCertificate(cluster.ca(), cluster.caKey(), USER, List.of(GROUP),
                        keys.getPublic(), ClusterCertificates.LEAF_VALIDITY);
                Pem.writePrivate(key, Pem.encode(keys.getPrivate()));
                Files.writeString(crt, Pem.encode(certificate));
            }
            PrivateKey privateKey = Pem.readPrivateKey(key);
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", privateKey, password, new java.security.cert.Certificate[] {certificate});
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the kubelet client certificate in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the kubelet client key store", e);
        }
    }

    private static boolean usable(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            certificate.checkValidity(java.util.Date.from(Instant.now().plus(ClusterCertificates.RENEW_BEFORE)));
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

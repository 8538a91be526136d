package dev.navis.apiserver.certs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's PKI in one directory: a CA, the API server's serving certificate and the admin's client
 * certificate. {@link #loadOrCreate} makes what is missing on the first start and keeps it on later starts,
 * renewing a leaf certificate when it no longer matches (other CA, names changed, close to expiry).
 *
 * @param ca         the cluster CA, which signs every other certificate and which clients trust
 * @param caKey      its private key
 * @param serving    the API server's TLS certificate
 * @param servingKey its private key
 * @param admin      a client certificate for user "admin" in group system:masters
 * @param adminKey   its private key
 */
public record ClusterCertificates(X509Certificate ca, PrivateKey caKey, X509Certificate serving, PrivateKey servingKey,
                                  X509Certificate admin, PrivateKey adminKey) {

    public static final String CA_NAME = "navis-ca";
    public static final String SERVING_NAME = "kube-apiserver";
    public static final String ADMIN_USER = "admin";
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration LEAF_VALIDITY = Duration.ofDays(365);
    /** A leaf certificate closer than this to its end is renewed at start. */
    static final Duration RENEW_BEFORE = Duration.ofDays(30);

    private static final Logger LOG = LoggerFactory.getLogger(ClusterCertificates.class);

    /**
     * Makes the cluster CA in {@code caDir} (its {@code ca.crt} and {@code ca.key}, e.g. the {@code pki} directory
     * of the first server) the CA of the PKI in {@code dir}, so that another API server of the same cluster signs
     * its own serving certificate with it and trusts the same client certificates. Nothing changes when {@code dir}
     * already holds that CA; a different CA there is refused. The service-account signing key ({@code sa.key}) of
     * {@code caDir}, if there is one, comes along.
     */
    public static void adoptCa(Path dir, Path caDir) {
        try {
            KeyFiles source = new KeyFiles(caDir, "ca");
            if (!source.exist()) {
                throw new IllegalArgumentException(caDir + " does not hold ca.crt and ca.key");
            }
            X509Certificate ca = source.readCertificate();
            PrivateKey key = source.readKey();
            FilePermissions.createPrivateDirectory(dir);
            KeyFiles target = new KeyFiles(dir, "ca");
            if (target.exist()) {
                if (!target.readCertificate().equals(ca)) {
                    throw new IllegalArgumentException(dir + " already holds another cluster CA");
                }
            } else {
                target.write(ca, key);
                LOG.info("adopted the cluster CA of {}", caDir);
            }
            ServiceAccountKey.adopt(dir, caDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot adopt the cluster CA of " + caDir, e);
        }
    }

    /** Loads the PKI from {@code dir} (created 0700 if needed), generating and storing what is missing or stale. */
    public static ClusterCertificates loadOrCreate(Path dir, ServingNames names) {
        try {
            FilePermissions.createPrivateDirectory(dir);
            KeyFiles caFiles = new KeyFiles(dir, "ca");
            KeyFiles servingFiles = new KeyFiles(dir, "apiserver");
            KeyFiles adminFiles = new KeyFiles(dir, "admin");

            boolean newCa = !caFiles.exist();
            if (newCa) {
                KeyPair keys = CertificateIssuer.newKeyPair();
                caFiles.write(CertificateIssuer.selfSignedCa(CA_NAME, keys, CA_VALIDITY), keys.getPrivate());
                LOG.info("generated cluster CA in {}", caFiles.certificate());
            }
            X509Certificate ca = caFiles.readCertificate();
            PrivateKey caKey = caFiles.readKey();

            if (newCa || !servingFiles.exist() || !isUsable(servingFiles.readCertificate(), ca)
                    || !sameNames(servingFiles.readCertificate(), names)) {
                KeyPair keys = CertificateIssuer.newKeyPair();
                servingFiles.write(CertificateIssuer.serverCertificate(ca, caKey, SERVING_NAME, keys.getPublic(),
                        names.dnsNames(), names.ipAddresses(), LEAF_VALIDITY), keys.getPrivate());
                LOG.info("generated serving certificate for {}", names.canonical());
            }
            if (newCa || !adminFiles.exist() || !isUsable(adminFiles.readCertificate(), ca)) {
                KeyPair keys = CertificateIssuer.newKeyPair();
                adminFiles.write(CertificateIssuer.clientCertificate(ca, caKey, ADMIN_USER, List.of("system:masters"),
                        keys.getPublic(), LEAF_VALIDITY), keys.getPrivate());
                LOG.info("generated admin client certificate");
            }
            return new ClusterCertificates(ca, caKey, servingFiles.readCertificate(), servingFiles.readKey(),
                    adminFiles.readCertificate(), adminFiles.readKey());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create certificates in " + dir, e);
        }
    }

    /** The serving certificate and key for a TLS server, under {@code password}. */
    public KeyStore servingKeyStore(char[] password) {
        return keyStore(serving, servingKey, password);
    }

    /** The admin certificate and key for a TLS client, under {@code password}. */
    public KeyStore adminKeyStore(char[] password) {
        return keyStore(admin, adminKey, password);
    }

    /** A trust store holding just the cluster CA. */
    public KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build trust store", e);
        }
    }

    /** The DNS and IP names a certificate lists, in {@link ServingNames#canonical()} form. */
    static Set<String> namesOf(X509Certificate certificate) {
        Set<String> names = new TreeSet<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives == null) {
                return names;
            }
            for (List<?> entry : alternatives) {
                int type = (Integer) entry.get(0);
                String value = (String) entry.get(1);
                if (type == 2) {
                    names.add("DNS:" + value);
                } else if (type == 7) {
                    names.add("IP:" + ServingNames.normalize(InetAddress.getByName(value)));
                }
            }
        } catch (CertificateParsingException | java.net.UnknownHostException e) {
            throw new IllegalStateException("unreadable subject alternative names", e);
        }
        return names;
    }

    private static boolean sameNames(X509Certificate certificate, ServingNames wanted) {
        return namesOf(certificate).equals(wanted.canonical());
    }

    private static boolean isUsable(X509Certificate certificate, X509Certificate ca) {
        try {
            certificate.verify(ca.getPublicKey());
            certificate.checkValidity(java.util.Date.from(Instant.now().plus(RENEW_BEFORE)));
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyStore keyStore(X509Certificate certificate, PrivateKey key, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("key", key, password, new java.security.cert.Certificate[] {certificate});
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build key store", e);
        }
    }
}

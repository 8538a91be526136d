package dev.navis.apiserver.certs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

import dev.navis.storage.KeyExistsException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.Store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster CA handed from server to server through the datastore, as k3s hands over its bootstrap data: the
 * first server started with a server token stores its CA certificate and key under {@link #KEY}, encrypted with a
 * key derived from the token ({@link TokenSealing}); a later server with the same token on the same etcd decrypts
 * it into its own PKI directory, so no CA files need copying. The service-account signing key travels the same way
 * (under {@link #SERVICE_ACCOUNT_KEY}). Run before {@link ClusterCertificates#loadOrCreate},
 * which then finds the CA in place.
 *
 * <pre>{@code
 * SharedClusterCa.exchange(store, token, options.pkiDir());   // PUBLISHED on the first server, ADOPTED on the others
 * }</pre>
 */
public final class SharedClusterCa {
    /** Outside {@code /registry/}: no API resource lists it. */
    public static final String KEY = "/navis/bootstrap/cluster-ca";
    /** The service-account signing key, sealed the same way. */
    public static final String SERVICE_ACCOUNT_KEY = "/navis/bootstrap/service-account-key";

    private static final Logger LOG = LoggerFactory.getLogger(SharedClusterCa.class);

    /** What {@link #exchange} did. */
    public enum Outcome {
        /** the datastore held no CA: this server's (existing or new) CA is stored now */
        PUBLISHED,
        /** the stored CA was written into this server's PKI directory */
        ADOPTED,
        /** this server's PKI directory already holds the stored CA */
        UNCHANGED
    }

    private SharedClusterCa() {
    }

    /**
     * Makes {@code pkiDir}'s CA and the datastore's agree.
     *
     * @throws IllegalArgumentException when the stored CA was encrypted with another token, or {@code pkiDir}
     *                                  already holds a different CA than the stored one
     */
    public static Outcome exchange(Store store, String token, Path pkiDir) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("the server token must not be empty");
        }
        Outcome outcome = exchangeCa(store, token, pkiDir);
        exchangeServiceAccountKey(store, token, pkiDir);
        return outcome;
    }

    /**
     * The service-account signing key ({@link ServiceAccountKey}) the same way, under {@link #SERVICE_ACCOUNT_KEY}:
     * tokens one server issued must verify at the others.
     */
    static Outcome exchangeServiceAccountKey(Store store, String token, Path pkiDir) {
        try {
            FilePermissions.createPrivateDirectory(pkiDir);
            KeyValue stored = store.get(SERVICE_ACCOUNT_KEY);
            if (stored != null) {
                return adoptServiceAccountKey(stored.value(), token, pkiDir);
            }
            boolean generated = !ServiceAccountKey.exists(pkiDir);
            PrivateKey key = generated ? ServiceAccountKey.generate().getPrivate()
                    : Pem.readPrivateKey(pkiDir.resolve(ServiceAccountKey.PRIVATE_FILE));
            try {
                store.create(SERVICE_ACCOUNT_KEY, TokenSealing.seal(Pem.encodePkcs8(key)
                        .getBytes(StandardCharsets.US_ASCII), token), 0);
            } catch (KeyExistsException raced) {
                return adoptServiceAccountKey(store.get(SERVICE_ACCOUNT_KEY).value(), token, pkiDir);
            }
            if (generated) {
                ServiceAccountKey.write(pkiDir, key);
            }
            return Outcome.PUBLISHED;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot exchange the service-account key in " + pkiDir, e);
        }
    }

    private static Outcome adoptServiceAccountKey(byte[] sealed, String token, Path pkiDir) throws IOException {
        PrivateKey key;
        try {
            key = Pem.privateKey(new String(TokenSealing.open(sealed, token), StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the datastore's service-account key was stored by a server with "
                    + "another token (" + e.getMessage() + "): start this server with the first server's --token", e);
        }
        if (ServiceAccountKey.exists(pkiDir)) {
            if (!Pem.readPrivateKey(pkiDir.resolve(ServiceAccountKey.PRIVATE_FILE)).equals(key)) {
                throw new IllegalArgumentException(pkiDir + " holds another service-account key than the "
                        + "datastore's: a server of another cluster? (move its pki directory away to join this one)");
            }
            return Outcome.UNCHANGED;
        }
        ServiceAccountKey.write(pkiDir, key);
        LOG.info("adopted the service-account key stored in the datastore");
        return Outcome.ADOPTED;
    }

    private static Outcome exchangeCa(Store store, String token, Path pkiDir) {
        try {
            FilePermissions.createPrivateDirectory(pkiDir);
            KeyFiles local = new KeyFiles(pkiDir, "ca");
            KeyValue stored = store.get(KEY);
            if (stored != null) {
                return adopt(stored.value(), token, local);
            }
            X509Certificate ca;
            PrivateKey key;
            boolean generated = !local.exist();
            if (generated) {
                KeyPair keys = CertificateIssuer.newKeyPair();
                ca = CertificateIssuer.selfSignedCa(ClusterCertificates.CA_NAME, keys, ClusterCertificates.CA_VALIDITY);
                key = keys.getPrivate();
            } else {
                ca = local.readCertificate();
                key = local.readKey();
            }
            String plain = Pem.encode(ca) + Pem.encode(key);
            try {
                store.create(KEY, TokenSealing.seal(plain.getBytes(StandardCharsets.US_ASCII), token), 0);
            } catch (KeyExistsException raced) {
                // another server stored its CA first: take that one (or refuse, if ours was already in use)
                return adopt(store.get(KEY).value(), token, local);
            }
            if (generated) {
                local.write(ca, key); // only once stored: a server that lost the race keeps no CA of its own
            }
            LOG.info("stored the cluster CA in the datastore for servers with the same token");
            return Outcome.PUBLISHED;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot exchange the cluster CA in " + pkiDir, e);
        }
    }

    private static Outcome adopt(byte[] sealed, String token, KeyFiles local) throws IOException {
        String plain;
        try {
            plain = new String(TokenSealing.open(sealed, token), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the datastore's cluster CA was stored by a server with another token "
                    + "(" + e.getMessage() + "): start this server with the first server's --token", e);
        }
        int keyStart = plain.indexOf("-----BEGIN", 1);
        X509Certificate ca = Pem.certificate(plain.substring(0, keyStart));
        PrivateKey key = Pem.privateKey(plain.substring(keyStart));
        if (local.exist()) {
            if (!local.readCertificate().equals(ca)) {
                throw new IllegalArgumentException(local.dir() + " holds another cluster CA than the datastore's: "
                        + "a server of another cluster? (move its pki directory away to join this one)");
            }
            return Outcome.UNCHANGED;
        }
        local.write(ca, key);
        LOG.info("adopted the cluster CA stored in the datastore");
        return Outcome.ADOPTED;
    }
}

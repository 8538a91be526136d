package dev.navis.apiserver.certs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key pair that signs service-account tokens, as kubeadm keeps it: {@code sa.key} (owner-only) and
 * {@code sa.pub} in the PKI directory, RSA 2048 (tokens are RS256 JWTs). Every API server of a cluster must hold
 * the same pair, so that a token one issued authenticates at the others: {@code --cluster-ca DIR} copies it with
 * the CA ({@link #adopt}), {@code --token} shares it through the datastore ({@link SharedClusterCa}).
 */
public final class ServiceAccountKey {
    public static final String PRIVATE_FILE = "sa.key";
    public static final String PUBLIC_FILE = "sa.pub";
    private static final int BITS = 2048;
    private static final Logger LOG = LoggerFactory.getLogger(ServiceAccountKey.class);

    private ServiceAccountKey() {
    }

    /** The pair in {@code pkiDir}, generated on first start (sa.pub is rewritten from sa.key if missing). */
    public static KeyPair loadOrCreate(Path pkiDir) {
        try {
            FilePermissions.createPrivateDirectory(pkiDir);
            if (!Files.isRegularFile(pkiDir.resolve(PRIVATE_FILE))) {
                write(pkiDir, generate().getPrivate());
                LOG.info("generated the service-account signing key in {}", pkiDir.resolve(PRIVATE_FILE));
            }
            PrivateKey key = Pem.readPrivateKey(pkiDir.resolve(PRIVATE_FILE));
            if (!Files.isRegularFile(pkiDir.resolve(PUBLIC_FILE))) {
                Files.writeString(pkiDir.resolve(PUBLIC_FILE), Pem.encode(publicOf(key)), StandardCharsets.US_ASCII);
            }
            return new KeyPair(publicOf(key), key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load or create the service-account key in " + pkiDir, e);
        }
    }

    /** A new RSA pair. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(BITS);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks RSA", e);
        }
    }

    /** Writes {@code key} as sa.key and its public half as sa.pub. */
    static void write(Path pkiDir, PrivateKey key) throws IOException {
        Pem.writePrivate(pkiDir.resolve(PRIVATE_FILE), Pem.encodePkcs8(key));
        Files.writeString(pkiDir.resolve(PUBLIC_FILE), Pem.encode(publicOf(key)), StandardCharsets.US_ASCII);
    }

    /** Whether {@code pkiDir} holds a signing key. */
    static boolean exists(Path pkiDir) {
        return Files.isRegularFile(pkiDir.resolve(PRIVATE_FILE));
    }

    /**
     * Copies {@code sourceDir}'s sa.key (if it has one) into {@code pkiDir}, as kubeadm's control-plane join copies
     * it with the CA; a different key already there is refused.
     */
    public static void adopt(Path pkiDir, Path sourceDir) {
        if (!exists(sourceDir)) {
            return;
        }
        try {
            PrivateKey key = Pem.readPrivateKey(sourceDir.resolve(PRIVATE_FILE));
            if (exists(pkiDir)) {
                if (!Pem.readPrivateKey(pkiDir.resolve(PRIVATE_FILE)).equals(key)) {
                    throw new IllegalArgumentException(pkiDir + " already holds another service-account key");
                }
                return;
            }
            FilePermissions.createPrivateDirectory(pkiDir);
            write(pkiDir, key);
            LOG.info("adopted the service-account key of {}", sourceDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot adopt the service-account key of " + sourceDir, e);
        }
    }

    /** The public key of an RSA private key (sa.key holds the CRT form, which carries the public exponent). */
    static PublicKey publicOf(PrivateKey key) {
        if (!(key instanceof RSAPrivateCrtKey rsa)) {
            throw new IllegalArgumentException("the service-account key must be an RSA key");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(),
                    rsa.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks RSA", e);
        }
    }
}

package dev.navis.apiserver.certs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * PEM text for certificates ("CERTIFICATE") and EC private keys. Keys are written as SEC1 "EC PRIVATE KEY",
 * as kubeadm and k3s write them: kubectl reads any form, but some clients (fabric8) take an untyped PKCS#8
 * "PRIVATE KEY" for RSA. Both forms are read.
 */
public final class Pem {
    private static final String KEY_LABEL = "EC PRIVATE KEY";
    private static final String CERT_LABEL = "CERTIFICATE";

    private Pem() {
    }

    public static String encode(X509Certificate certificate) {
        try {
            return encode(CERT_LABEL, certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode certificate", e);
        }
    }

    public static String encode(PrivateKey key) {
        try {
            // SEC1 must name its curve itself: in PKCS#8 the curve sits in the outer algorithm identifier
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
            ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
            // and carry its public key, which clients that read a key pair from it (fabric8) require
            java.security.spec.ECParameterSpec params = ((java.security.interfaces.ECPrivateKey) key).getParams();
            ECPoint publicPoint = EC5Util.convertSpec(params).getG().multiply(inner.getKey()).normalize();
            ECPrivateKey sec1 = new ECPrivateKey(params.getOrder().bitLength(), inner.getKey(),
                    new DERBitString(publicPoint.getEncoded(false)), info.getPrivateKeyAlgorithm().getParameters());
            return encode(KEY_LABEL, sec1.getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode private key", e);
        }
    }

    /** A private key of any algorithm as PKCS#8 "PRIVATE KEY" (the service-account signing key is RSA). */
    public static String encodePkcs8(PrivateKey key) {
        return encode("PRIVATE KEY", key.getEncoded());
    }

    /** A public key as "PUBLIC KEY" (X.509 SubjectPublicKeyInfo), as kubeadm writes sa.pub. */
    public static String encode(java.security.PublicKey key) {
        return encode("PUBLIC KEY", key.getEncoded());
    }

    /** The public key in PEM text ("PUBLIC KEY"). */
    public static java.security.PublicKey publicKey(String pem) {
        try (PEMParser parser = new PEMParser(new java.io.StringReader(pem))) {
            if (parser.readObject() instanceof org.bouncycastle.asn1.x509.SubjectPublicKeyInfo info) {
                return new JcaPEMKeyConverter().getPublicKey(info);
            }
            throw new IllegalArgumentException("not a PEM public key");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM public key", e);
        }
    }

    public static X509Certificate readCertificate(Path file) throws IOException {
        try {
            return certificate(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IOException("not a PEM certificate: " + file, e);
        }
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try {
            return privateKey(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IOException("not a PEM EC private key: " + file, e);
        }
    }

    /** The first certificate in PEM text. */
    public static X509Certificate certificate(String pem) {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return (X509Certificate) factory.generateCertificate(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate", e);
        }
    }

    /** The private key in PEM text (SEC1 or PKCS#8). */
    public static PrivateKey privateKey(String pem) {
        try (PEMParser parser = new PEMParser(new java.io.StringReader(pem))) {
            Object parsed = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (parsed instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException("not a PEM EC private key");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM EC private key", e);
        }
    }

    /** Writes a file readable by its owner only (keys and tokens must not leak to other users). */
    public static void writePrivate(Path file, String content) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, FilePermissions.ownerOnlyFile());
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String encode(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }
}

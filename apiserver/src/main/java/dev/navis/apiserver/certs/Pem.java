package dev.navis.apiserver.certs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** PEM text for certificates ("CERTIFICATE") and EC private keys (PKCS#8 "PRIVATE KEY"), as kubectl reads them. */
public final class Pem {
    private static final String KEY_LABEL = "PRIVATE KEY";
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
        return encode(KEY_LABEL, key.getEncoded());
    }

    public static X509Certificate readCertificate(Path file) throws IOException {
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
        } catch (GeneralSecurityException e) {
            throw new IOException("not a PEM certificate: " + file, e);
        }
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + KEY_LABEL + "-----";
        String end = "-----END " + KEY_LABEL + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException("not a PKCS#8 PEM private key: " + file);
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IOException("not an EC private key: " + file, e);
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

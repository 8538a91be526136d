package dev.navis.apiserver.certs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** A certificate file {@code name.crt} and its key {@code name.key} (owner-only) in a PKI directory. */
record KeyFiles(Path dir, String name) {
    Path certificate() {
        return dir.resolve(name + ".crt");
    }

    Path key() {
        return dir.resolve(name + ".key");
    }

    boolean exist() {
        return Files.isRegularFile(certificate()) && Files.isRegularFile(key());
    }

    X509Certificate readCertificate() throws IOException {
        return Pem.readCertificate(certificate());
    }

    PrivateKey readKey() throws IOException {
        return Pem.readPrivateKey(key());
    }

    void write(X509Certificate cert, PrivateKey privateKey) throws IOException {
        Pem.writePrivate(key(), Pem.encode(privateKey));
        Files.writeString(certificate(), Pem.encode(cert));
    }
}

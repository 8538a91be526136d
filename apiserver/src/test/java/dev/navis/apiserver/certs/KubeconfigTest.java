package dev.navis.apiserver.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class KubeconfigTest {
    @TempDir
    Path dir;

    @Test
    void namesClusterUserAndContextWithInlineCredentials() throws Exception {
        ClusterCertificates pki = ClusterCertificates.loadOrCreate(dir.resolve("pki"), ServingNames.ofThisHost());
        Path file = dir.resolve("kubeconfig.yaml");

        Kubeconfig.write(file, "https://127.0.0.1:6443", pki);

        JsonNode config = new YAMLMapper().readTree(Files.readString(file));
        assertThat(config.get("apiVersion").asString()).isEqualTo("v1");
        assertThat(config.get("kind").asString()).isEqualTo("Config");
        assertThat(config.get("current-context").asString()).isEqualTo("navis");
        JsonNode cluster = config.get("clusters").get(0);
        assertThat(cluster.get("name").asString()).isEqualTo("navis");
        assertThat(cluster.get("cluster").get("server").asString()).isEqualTo("https://127.0.0.1:6443");
        assertThat(certificate(cluster.get("cluster").get("certificate-authority-data").asString())).isEqualTo(pki.ca());
        JsonNode context = config.get("contexts").get(0);
        assertThat(context.get("name").asString()).isEqualTo("navis");
        assertThat(context.get("context").get("cluster").asString()).isEqualTo("navis");
        assertThat(context.get("context").get("user").asString()).isEqualTo("admin");
        JsonNode user = config.get("users").get(0);
        assertThat(user.get("name").asString()).isEqualTo("admin");
        assertThat(certificate(user.get("user").get("client-certificate-data").asString())).isEqualTo(pki.admin());
        String keyPem = new String(Base64.getDecoder().decode(user.get("user").get("client-key-data").asString()),
                StandardCharsets.US_ASCII);
        assertThat(keyPem).startsWith("-----BEGIN EC PRIVATE KEY-----\n");
        Path keyFile = file.resolveSibling("admin-key-from-kubeconfig.pem");
        Files.writeString(keyFile, keyPem);
        assertThat(Pem.readPrivateKey(keyFile)).isEqualTo(pki.adminKey());
        // the public key rides along, as clients that load a key pair from the PEM need it
        try (org.bouncycastle.openssl.PEMParser parser = new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(keyPem))) {
            var pair = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter()
                    .getKeyPair((org.bouncycastle.openssl.PEMKeyPair) parser.readObject());
            assertThat(pair.getPublic()).isEqualTo(((java.security.cert.X509Certificate) pki.admin()).getPublicKey());
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    private static Object certificate(String base64Pem) throws Exception {
        return CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(base64Pem)));
    }
}

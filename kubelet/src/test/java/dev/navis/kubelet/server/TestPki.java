package dev.navis.kubelet.server;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A CA and a client certificate it signs (the API server's side), and TLS contexts for tests. */
final class TestPki {
    static final char[] PASSWORD = "test".toCharArray();
    final KeyStore caTrustStore;
    final KeyStore clientKeyStore;

    TestPki() throws Exception {
        KeyPair caKeys = keys();
        X500Principal caName = new X500Principal("CN=test-ca");
        X509Certificate ca = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(caName,
                BigInteger.ONE, Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plus(Duration.ofDays(1))),
                caName, caKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
        KeyPair clientKeys = keys();
        X509Certificate client = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(caName,
                BigInteger.TWO, Date.from(Instant.now().minusSeconds(60)), Date.from(Instant.now().plus(Duration.ofDays(1))),
                new X500Principal("CN=kube-apiserver-kubelet-client,O=system:masters"), clientKeys.getPublic())
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
        caTrustStore = KeyStore.getInstance("PKCS12");
        caTrustStore.load(null, null);
        caTrustStore.setCertificateEntry("ca", ca);
        clientKeyStore = KeyStore.getInstance("PKCS12");
        clientKeyStore.load(null, null);
        clientKeyStore.setKeyEntry("client", clientKeys.getPrivate(), PASSWORD,
                new java.security.cert.Certificate[] {client, ca});
    }

    /** TLS toward a kubelet serving {@code serving}'s certificate, with or without the client certificate. */
    SSLContext clientTls(KeyStore serving, boolean withCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("kubelet", serving.getCertificate(serving.aliases().nextElement()));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(clientKeyStore, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(withCertificate ? kmf.getKeyManagers() : null, tmf.getTrustManagers(), null);
        return tls;
    }

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}

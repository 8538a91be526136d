package dev.navis.kubelet.server;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The kubelet's self-signed serving certificate, as upstream's kubelet makes one ({@code <hostname>@<time>} signed
 * by itself, valid for the node's names and addresses) when it is given none and no CA signs one for it.
 */
public final class ServingCertificate {
    static final Duration VALIDITY = Duration.ofDays(365);

    private ServingCertificate() {
    }

    /** A key store holding a fresh self-signed certificate for {@code hostname} and {@code addresses}. */
    public static KeyStore selfSigned(String hostname, List<InetAddress> addresses, char[] password) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Principal subject = new X500Principal("CN=" + hostname + "@" + now.getEpochSecond());
            List<GeneralName> names = new ArrayList<>();
            names.add(new GeneralName(GeneralName.dNSName, hostname));
            for (InetAddress a : addresses) {
                names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(a.getAddress())));
            }
            var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(names.toArray(GeneralName[]::new)));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("kubelet", keys.getPrivate(), password, new java.security.cert.Certificate[] {certificate});
            return store;
        } catch (GeneralSecurityException | java.io.IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot make the kubelet's serving certificate", e);
        }
    }
}

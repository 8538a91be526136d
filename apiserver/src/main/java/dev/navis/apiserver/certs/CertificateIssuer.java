package dev.navis.apiserver.certs;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
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
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Makes ECDSA P-256 keys and X.509 certificates: a self-signed CA and the server and client certificates it signs. */
public final class CertificateIssuer {
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    /** Certificates start an hour in the past so that a client whose clock lags a little still accepts them. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private CertificateIssuer() {
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks EC P-256", e);
        }
    }

    /** A self-signed certificate authority that may sign leaf certificates only (path length 0). */
    public static X509Certificate selfSignedCa(String commonName, KeyPair keys, Duration validity) {
        X500Principal subject = new X500Principal("CN=" + commonName);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(subject, subject, keys.getPublic(), validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
            return sign(builder, keys.getPrivate());
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build CA certificate", e);
        }
    }

    /** A TLS server certificate for the given DNS names and IP addresses. */
    public static X509Certificate serverCertificate(X509Certificate ca, PrivateKey caKey, String commonName,
                                                    PublicKey key, Collection<String> dnsNames,
                                                    Collection<InetAddress> ipAddresses, Duration validity) {
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
        ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(ip.getAddress()))));
        return leaf(ca, caKey, new X500Principal("CN=" + commonName), key, KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(names.toArray(GeneralName[]::new)), validity);
    }

    /**
     * A TLS client certificate that Kubernetes reads as user {@code user} in {@code groups}
     * (CN = user name, one O per group).
     */
    public static X509Certificate clientCertificate(X509Certificate ca, PrivateKey caKey, String user,
                                                    List<String> groups, PublicKey key, Duration validity) {
        // the string form lists RDNs last-first: this encodes O=group1, O=group2, ..., CN=user
        StringBuilder dn = new StringBuilder("CN=").append(escapeRdn(user));
        for (int i = groups.size() - 1; i >= 0; i--) {
            dn.append(",O=").append(escapeRdn(groups.get(i)));
        }
        return leaf(ca, caKey, new X500Principal(dn.toString()), key, KeyPurposeId.id_kp_clientAuth, null, validity);
    }

    private static X509Certificate leaf(X509Certificate ca, PrivateKey caKey, X500Principal subject, PublicKey key,
                                        KeyPurposeId purpose, GeneralNames subjectAltNames, Duration validity) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = builder(ca.getSubjectX500Principal(), subject, key, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key))
                    .addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(ca));
            if (subjectAltNames != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, subjectAltNames);
            }
            return sign(builder, caKey);
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build certificate for " + subject, e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Principal issuer, X500Principal subject, PublicKey key,
                                                    Duration validity) {
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(validity)), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign with " + SIGNATURE_ALGORITHM, e);
        }
    }

    private static String escapeRdn(String value) {
        return javax.naming.ldap.Rdn.escapeValue(value);
    }
}

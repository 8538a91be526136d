package dev.navis.controllers.certificates;

import dev.navis.client.certificates.CertificateRequests;
import dev.navis.client.certificates.Signers;
import dev.navis.client.config.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The CA the csrsigning controller signs with (upstream's authority.CertificateAuthority): issues a certificate for
 * a request's subject, SANs and public key with the request's usages, valid from five minutes ago (clock skew)
 * for the shorter of the requested and the configured duration, and never past the CA's own end.
 */
public final class CertificateAuthority {
    /** Upstream backdates issued certificates by five minutes. */
    static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final Duration maxDuration;

    public CertificateAuthority(X509Certificate certificate, PrivateKey key, Duration maxDuration) {
        this.certificate = certificate;
        this.key = key;
        this.maxDuration = maxDuration;
    }

    /** Reads the CA certificate and key files of {@code signing}. */
    public static CertificateAuthority load(ClusterSigning signing) {
        try {
            List<X509Certificate> certs = Pem.certificates(Files.readAllBytes(signing.certFile()));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + signing.certFile());
            }
            return new CertificateAuthority(certs.get(0), Pem.privateKey(Files.readAllBytes(signing.keyFile())),
                    signing.duration());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cluster signing CA", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * Signs {@code request} for {@code usages}.
     *
     * @param expirationSeconds spec.expirationSeconds, or null for the configured duration
     * @return the certificate PEM
     */
    public String sign(PKCS10CertificationRequest request, List<String> usages, Integer expirationSeconds, Instant now) {
        Duration duration = maxDuration;
        if (expirationSeconds != null && Duration.ofSeconds(expirationSeconds).compareTo(duration) < 0) {
            duration = Duration.ofSeconds(expirationSeconds);
        }
        Instant notAfter = now.plus(duration);
        if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
            notAfter = certificate.getNotAfter().toInstant();
        }
        try {
            var jcaPublicKey = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter()
                    .getPublicKey(request.getSubjectPublicKeyInfo());
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                    X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(now.minus(BACKDATE)), Date.from(notAfter),
                    request.getSubject(), request.getSubjectPublicKeyInfo());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            int keyUsage = 0;
            List<KeyPurposeId> purposes = new ArrayList<>();
            for (String usage : usages) {
                switch (usage) {
                    case Signers.DIGITAL_SIGNATURE -> keyUsage |= KeyUsage.digitalSignature;
                    case Signers.KEY_ENCIPHERMENT -> keyUsage |= KeyUsage.keyEncipherment;
                    case Signers.CLIENT_AUTH -> purposes.add(KeyPurposeId.id_kp_clientAuth);
                    case Signers.SERVER_AUTH -> purposes.add(KeyPurposeId.id_kp_serverAuth);
                    default -> {
                    }
                }
            }
            if (keyUsage != 0) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            }
            if (!purposes.isEmpty()) {
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
            }
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(jcaPublicKey));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(certificate));
            for (var attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
                for (var value : attribute.getAttrValues()) {
                    Extension san = Extensions.getInstance(value).getExtension(Extension.subjectAlternativeName);
                    if (san != null) {
                        builder.addExtension(Extension.subjectAlternativeName, false, san.getParsedValue());
                    }
                }
            }
            String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            X509Certificate issued = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(key)));
            return CertificateRequests.pem("CERTIFICATE", issued.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
        }
    }
}

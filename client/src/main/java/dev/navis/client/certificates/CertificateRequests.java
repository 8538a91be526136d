package dev.navis.client.certificates;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * PKCS#10 certificate requests (PEM "CERTIFICATE REQUEST") as CertificateSigningRequest.spec.request carries
 * them: building one for a key, and reading one back (subject, SANs). Keys are ECDSA P-256, as kubelets make.
 */
public final class CertificateRequests {
    public static final String PEM_LABEL = "CERTIFICATE REQUEST";
    private static final SecureRandom RANDOM = new SecureRandom();

    private CertificateRequests() {
    }

    /** What a request asks for, read from its PKCS#10 form (upstream's x509.CertificateRequest fields in use). */
    public record Parsed(PKCS10CertificationRequest request, String commonName, List<String> organizations,
                         List<String> dnsNames, List<InetAddress> ipAddresses, List<String> emailAddresses,
                         List<String> uris) {
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

    /** A PEM request signed by {@code keys} for subject CN=commonName with one O per organization, and these SANs. */
    public static String create(KeyPair keys, String commonName, List<String> organizations, List<String> dnsNames,
                                List<InetAddress> ipAddresses) {
        StringBuilder dn = new StringBuilder("CN=").append(javax.naming.ldap.Rdn.escapeValue(commonName));
        for (int i = organizations.size() - 1; i >= 0; i--) {
            dn.append(",O=").append(javax.naming.ldap.Rdn.escapeValue(organizations.get(i)));
        }
        try {
            JcaPKCS10CertificationRequestBuilder builder =
                    new JcaPKCS10CertificationRequestBuilder(new X500Principal(dn.toString()), keys.getPublic());
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(ip.getAddress()))));
            if (!names.isEmpty()) {
                ExtensionsGenerator extensions = new ExtensionsGenerator();
                extensions.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
                builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
            }
            PKCS10CertificationRequest request = builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(keys.getPrivate()));
            return pem(PEM_LABEL, request.getEncoded());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the certificate request", e);
        }
    }

    /**
     * Reads the first PEM block of {@code pem}, which must be a CERTIFICATE REQUEST.
     *
     * @throws IllegalArgumentException with upstream's wording when it is not one
     */
    public static Parsed parse(byte[] pem) {
        Object block;
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            block = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("PEM block type must be CERTIFICATE REQUEST");
        }
        if (!(block instanceof PKCS10CertificationRequest request)) {
            throw new IllegalArgumentException("PEM block type must be CERTIFICATE REQUEST");
        }
        var subject = request.getSubject();
        String cn = "";
        for (RDN rdn : subject.getRDNs(BCStyle.CN)) {
            cn = IETFUtils.valueToString(rdn.getFirst().getValue());
        }
        List<String> orgs = new ArrayList<>();
        for (RDN rdn : subject.getRDNs(BCStyle.O)) {
            orgs.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
        }
        List<String> dns = new ArrayList<>();
        List<InetAddress> ips = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        var attributes = request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        for (var attribute : attributes) {
            for (var value : attribute.getAttrValues()) {
                var extensions = org.bouncycastle.asn1.x509.Extensions.getInstance(value);
                GeneralNames sans = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
                if (sans == null) {
                    continue;
                }
                for (GeneralName name : sans.getNames()) {
                    switch (name.getTagNo()) {
                        case GeneralName.dNSName -> dns.add(name.getName().toString());
                        case GeneralName.rfc822Name -> emails.add(name.getName().toString());
                        case GeneralName.uniformResourceIdentifier -> uris.add(name.getName().toString());
                        case GeneralName.iPAddress -> {
                            try {
                                ips.add(InetAddress.getByAddress(
                                        DEROctetString.getInstance(name.getName()).getOctets()));
                            } catch (java.net.UnknownHostException e) {
                                throw new IllegalArgumentException("invalid IP address SAN", e);
                            }
                        }
                        default -> {
                        }
                    }
                }
            }
        }
        return new Parsed(request, cn, orgs, dns, ips, emails, uris);
    }

    /** True when the request's signature verifies with the public key it carries (upstream's CheckSignature). */
    public static boolean signatureValid(PKCS10CertificationRequest request) {
        try {
            return request.isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder()
                    .build(request.getSubjectPublicKeyInfo()));
        } catch (Exception e) {
            return false;
        }
    }

    /** PEM text of DER bytes under {@code label}. */
    public static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }
}

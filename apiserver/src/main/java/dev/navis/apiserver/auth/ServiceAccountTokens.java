package dev.navis.apiserver.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Signs and verifies service-account tokens: RS256 JSON Web Tokens under the cluster's service-account key
 * ({@code sa.key}), as kube-apiserver's JWT token generator. The header names the key by {@link #keyId()}
 * (upstream's: the unpadded base64url SHA-256 of the DER public key), which {@code /openid/v1/jwks} publishes.
 */
public final class ServiceAccountTokens {
    /** Upstream's default issuer and API audience (kubeadm and k3s start kube-apiserver with it). */
    public static final String DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final KeyPair keys;
    private final String issuer;
    private final String keyId;
    private final String header;

    public ServiceAccountTokens(KeyPair keys, String issuer) {
        this.keys = keys;
        this.issuer = issuer;
        try {
            this.keyId = B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(keys.getPublic().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        ObjectNode h = MAPPER.createObjectNode();
        h.put("alg", "RS256");
        h.put("kid", keyId);
        this.header = B64.encodeToString(MAPPER.writeValueAsBytes(h));
    }

    /** The {@code iss} of the tokens signed here, also the API server's audience. */
    public String issuer() {
        return issuer;
    }

    public String keyId() {
        return keyId;
    }

    /** A signed token carrying {@code claims}. */
    public String sign(ObjectNode claims) {
        String signingInput = header + "." + B64.encodeToString(MAPPER.writeValueAsBytes(claims));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(keys.getPrivate());
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a service-account token", e);
        }
    }

    /**
     * The claims of a token signed here.
     *
     * @return null when {@code token} is not a JWT whose issuer is this one (another authenticator's token)
     * @throws AuthenticationException when it claims this issuer but its header or signature is not ours
     */
    public ObjectNode verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        ObjectNode claims;
        JsonNode head;
        try {
            head = MAPPER.readTree(B64D.decode(parts[0]));
            if (!(MAPPER.readTree(B64D.decode(parts[1])) instanceof ObjectNode c)) {
                return null;
            }
            claims = c;
        } catch (RuntimeException e) {
            return null; // not base64url JSON: not a JWT
        }
        if (!issuer.equals(claims.path("iss").asString(""))) {
            return null;
        }
        if (!"RS256".equals(head.path("alg").asString(""))) {
            throw new AuthenticationException("service-account token: unexpected algorithm " + head.path("alg"));
        }
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(keys.getPublic());
            rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rs256.verify(B64D.decode(parts[2]))) {
                throw new AuthenticationException("service-account token: invalid signature");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new AuthenticationException("service-account token: invalid signature");
        }
        return claims;
    }

    /** The JSON Web Key Set of the verification key ({@code /openid/v1/jwks}). */
    public ObjectNode jwks() {
        RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
        ObjectNode set = MAPPER.createObjectNode();
        ObjectNode key = set.putArray("keys").addObject();
        key.put("use", "sig");
        key.put("kty", "RSA");
        key.put("kid", keyId);
        key.put("alg", "RS256");
        key.put("n", B64.encodeToString(unsigned(pub.getModulus().toByteArray())));
        key.put("e", B64.encodeToString(unsigned(pub.getPublicExponent().toByteArray())));
        return set;
    }

    /** The OpenID discovery document ({@code /.well-known/openid-configuration}), as upstream serves it. */
    public ObjectNode openIdConfiguration() {
        ObjectNode doc = MAPPER.createObjectNode();
        doc.put("issuer", issuer);
        doc.put("jwks_uri", issuer + "/openid/v1/jwks");
        doc.putArray("response_types_supported").add("id_token");
        doc.putArray("subject_types_supported").add("public");
        doc.putArray("id_token_signing_alg_values_supported").add("RS256");
        return doc;
    }

    /** A big-endian magnitude without the sign byte BigInteger adds. */
    private static byte[] unsigned(byte[] b) {
        return b.length > 1 && b[0] == 0 ? java.util.Arrays.copyOfRange(b, 1, b.length) : b;
    }
}

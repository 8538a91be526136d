package dev.navis.client.certificates;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node join token in k3s's "secure" form: {@code K10<sha256 of the cluster CA bundle, hex>::<id>.<secret>}. The
 * {@code <id>.<secret>} part is a Kubernetes bootstrap token (6 and 16 characters of [a-z0-9]); the hash pins the
 * CA the joining node must find at the server, as kubeadm's {@code --discovery-token-ca-cert-hash} does (k3s hashes
 * the CA bundle's bytes as served; so does Navis: the PEM text of {@code certificate-authority-data} in
 * kube-public/cluster-info).
 *
 * @param caHash the CA bundle's SHA-256, 64 lower-case hex digits
 * @param id     the bootstrap token's public id
 * @param secret the bootstrap token's secret
 */
public record JoinToken(String caHash, String id, String secret) {
    /** k3s's prefix of tokens that carry the CA hash. */
    public static final String PREFIX = "K10";
    /** Upstream's bootstrap token form (bootstrapapi.BootstrapTokenPattern). */
    public static final Pattern BOOTSTRAP_TOKEN = Pattern.compile("^([a-z0-9]{6})\\.([a-z0-9]{16})$");
    private static final Pattern FULL = Pattern.compile("^K10([0-9a-f]{64})::([a-z0-9]{6})\\.([a-z0-9]{16})$");
    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    public JoinToken {
        if (!caHash.matches("[0-9a-f]{64}") || !id.matches("[a-z0-9]{6}") || !secret.matches("[a-z0-9]{16}")) {
            throw new IllegalArgumentException("not a join token: CA hash of 64 hex digits, id [a-z0-9]{6}, secret [a-z0-9]{16}");
        }
    }

    /** A new random bootstrap token for the CA bundle {@code caPem}. */
    public static JoinToken generate(byte[] caPem) {
        return new JoinToken(caHash(caPem), random(6), random(16));
    }

    /** Reads the {@code K10<hash>::<id>.<secret>} form; throws IllegalArgumentException with the reason otherwise. */
    public static JoinToken parse(String text) {
        Matcher m = FULL.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            if (text != null && BOOTSTRAP_TOKEN.matcher(text.trim()).matches()) {
                throw new IllegalArgumentException("the token carries no CA hash: give the full K10<hash>::<id>.<secret> "
                        + "form that 'navis token create' prints");
            }
            throw new IllegalArgumentException("not a join token (expected K10<sha256 hex>::<id>.<secret>)");
        }
        return new JoinToken(m.group(1), m.group(2), m.group(3));
    }

    /** True when {@code text} has the join token form (as opposed to a plain bearer token). */
    public static boolean looksLikeJoinToken(String text) {
        return text != null && FULL.matcher(text.trim()).matches();
    }

    /** The hex SHA-256 of a CA bundle's bytes. */
    public static String caHash(byte[] caPem) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(caPem));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** True when {@code caPem} hashes to this token's CA hash (compared in constant time). */
    public boolean matchesCa(byte[] caPem) {
        return MessageDigest.isEqual(caHash(caPem).getBytes(StandardCharsets.US_ASCII),
                caHash.getBytes(StandardCharsets.US_ASCII));
    }

    /** The bearer token the API server's bootstrap token authenticator reads. */
    public String bootstrapToken() {
        return id + "." + secret;
    }

    /** The name of the Secret that holds the token (kube-system). */
    public String secretName() {
        return BootstrapTokens.SECRET_PREFIX + id;
    }

    @Override
    public String toString() {
        return PREFIX + caHash + "::" + id + "." + secret;
    }

    private static String random(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}

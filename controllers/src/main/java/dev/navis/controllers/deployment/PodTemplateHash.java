package dev.navis.controllers.deployment;

import dev.navis.client.Json;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.nio.charset.StandardCharsets;

/**
 * The {@code pod-template-hash} label value of a Deployment's ReplicaSets. Upstream hashes the template
 * rendered by a deep-printer with FNV-32a; here the template's JSON (Jackson, fields in declaration order,
 * so stable for equal templates) is hashed with FNV-32a, then the collision count's decimal digits, and the
 * unsigned decimal result is encoded with upstream's SafeEncodeString alphabet (no vowels, no 0/1/3).
 */
public final class PodTemplateHash {

    public static final String LABEL = "pod-template-hash";
    private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
    /** FNV-32a's offset basis: the starting value of {@link #fnv32a}. */
    public static final int FNV32_OFFSET = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;

    private PodTemplateHash() {
    }

    public static String of(PodTemplateSpec template, Integer collisionCount) {
        int hash = FNV32_OFFSET;
        hash = fnv32a(hash, Json.write(template));
        if (collisionCount != null) {
            hash = fnv32a(hash, Integer.toString(collisionCount).getBytes(StandardCharsets.UTF_8));
        }
        return safeEncode(Long.toString(Integer.toUnsignedLong(hash)));
    }

    /** Upstream's rand.SafeEncodeString: each character mapped into an alphabet without vowels or 0/1/3. */
    public static String safeEncode(String s) {
        StringBuilder encoded = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            encoded.append(ALPHANUMS.charAt(c % ALPHANUMS.length()));
        }
        return encoded.toString();
    }

    /** Continues an FNV-32a hash {@code hash} over {@code bytes} (start with {@link #FNV32_OFFSET}). */
    public static int fnv32a(int hash, byte[] bytes) {
        for (byte b : bytes) {
            hash ^= (b & 0xff);
            hash *= FNV_PRIME;
        }
        return hash;
    }
}

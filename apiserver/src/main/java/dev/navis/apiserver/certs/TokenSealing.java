package dev.navis.apiserver.certs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption of a small secret under a shared token, as k3s keeps its bootstrap data in the datastore: an AES-256
 * key derived from the token with PBKDF2-HMAC-SHA256 over a random salt, then AES-GCM (which also detects a wrong
 * token: the tag does not verify). The sealed form is {@code MAGIC | salt | nonce | ciphertext+tag}.
 */
final class TokenSealing {
    private static final byte[] MAGIC = "navis-sealed-v1".getBytes(StandardCharsets.US_ASCII);
    private static final int SALT_BYTES = 16;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** OWASP's figure for PBKDF2-HMAC-SHA256; a server derives a key once per start. */
    private static final int ITERATIONS = 600_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSealing() {
    }

    static byte[] seal(byte[] plaintext, String token) {
        byte[] salt = random(SALT_BYTES);
        byte[] nonce = random(NONCE_BYTES);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, token, salt, nonce);
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(MAGIC.length + SALT_BYTES + NONCE_BYTES + sealed.length)
                    .put(MAGIC).put(salt).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt", e);
        }
    }

    /** @throws IllegalArgumentException when {@code sealed} was not sealed with {@code token} (or is damaged) */
    static byte[] open(byte[] sealed, String token) {
        int header = MAGIC.length + SALT_BYTES + NONCE_BYTES;
        if (sealed.length < header || !Arrays.equals(MAGIC, Arrays.copyOf(sealed, MAGIC.length))) {
            throw new IllegalArgumentException("not sealed data");
        }
        byte[] salt = Arrays.copyOfRange(sealed, MAGIC.length, MAGIC.length + SALT_BYTES);
        byte[] nonce = Arrays.copyOfRange(sealed, MAGIC.length + SALT_BYTES, header);
        try {
            return cipher(Cipher.DECRYPT_MODE, token, salt, nonce).doFinal(sealed, header, sealed.length - header);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("sealed with another token", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt", e);
        }
    }

    private static Cipher cipher(int mode, String token, byte[] salt, byte[] nonce) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(token.toCharArray(), salt, ITERATIONS, 256);
        byte[] key;
        try {
            key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } finally {
            spec.clearPassword();
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(MAGIC);
        return cipher;
    }

    private static byte[] random(int n) {
        byte[] bytes = new byte[n];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}

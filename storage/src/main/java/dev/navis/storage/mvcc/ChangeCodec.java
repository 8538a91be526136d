package dev.navis.storage.mvcc;

import dev.navis.storage.KeyValue;
import dev.navis.storage.StoreException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of {@link Change}s (write-ahead log and snapshots) and of the snapshot-only records.
 * Every record starts with a type byte; numbers are big-endian; strings and byte arrays are an int length
 * followed by the bytes (UTF-8 for strings).
 */
final class ChangeCodec {
    static final byte PUT = 1;
    static final byte DELETE = 2;
    static final byte LEASE_GRANT = 3;
    static final byte LEASE_REVOKE = 4;
    static final byte COMPACT = 5;
    static final byte SNAPSHOT_HEADER = 10;
    static final byte BASE_KEY = 12;
    static final byte SNAPSHOT_END = 13;

    private ChangeCodec() {
    }

    static int maxSize(Change c) {
        return switch (c) {
            case Change.Put p -> 1 + 8 + 8 + 4 + p.key().length() * 3 + 4 + p.value().length;
            case Change.Delete d -> 1 + 8 + 4 + d.key().length() * 3;
            case Change.LeaseGrant g -> 1 + 16;
            case Change.LeaseRevoke r -> 1 + 8;
            case Change.Compact k -> 1 + 8;
        };
    }

    static void encode(Change c, ByteBuffer out) {
        switch (c) {
            case Change.Put p -> {
                out.put(PUT).putLong(p.revision()).putLong(p.lease());
                putString(out, p.key());
                out.putInt(p.value().length).put(p.value());
            }
            case Change.Delete d -> {
                out.put(DELETE).putLong(d.revision());
                putString(out, d.key());
            }
            case Change.LeaseGrant g -> out.put(LEASE_GRANT).putLong(g.id()).putLong(g.ttlSeconds());
            case Change.LeaseRevoke r -> out.put(LEASE_REVOKE).putLong(r.id());
            case Change.Compact k -> out.put(COMPACT).putLong(k.compactRevision());
        }
    }

    /** Decodes a change; the type byte has been read already. */
    static Change decode(byte type, ByteBuffer in) {
        return switch (type) {
            case PUT -> {
                long rev = in.getLong();
                long lease = in.getLong();
                String key = getString(in);
                yield new Change.Put(rev, key, getBytes(in), lease);
            }
            case DELETE -> new Change.Delete(in.getLong(), getString(in));
            case LEASE_GRANT -> new Change.LeaseGrant(in.getLong(), in.getLong());
            case LEASE_REVOKE -> new Change.LeaseRevoke(in.getLong());
            case COMPACT -> new Change.Compact(in.getLong());
            default -> throw new StoreException("unknown log record type " + type);
        };
    }

    static void encodeBase(KeyValue kv, ByteBuffer out) {
        out.put(BASE_KEY).putLong(kv.createRevision()).putLong(kv.modRevision()).putLong(kv.version()).putLong(kv.lease());
        putString(out, kv.key());
        out.putInt(kv.value().length).put(kv.value());
    }

    static int maxBaseSize(KeyValue kv) {
        return 1 + 32 + 4 + kv.key().length() * 3 + 4 + kv.value().length;
    }

    static KeyValue decodeBase(ByteBuffer in) {
        long create = in.getLong();
        long mod = in.getLong();
        long version = in.getLong();
        long lease = in.getLong();
        String key = getString(in);
        return new KeyValue(key, getBytes(in), create, mod, version, lease);
    }

    static void putString(ByteBuffer out, String s) {
        int lengthAt = out.position();
        out.position(lengthAt + 4);
        int start = out.position();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                out.put((byte) ch);
            } else {
                // rare: fall back to the JDK's encoder for the whole string
                out.position(start);
                out.put(s.getBytes(StandardCharsets.UTF_8));
                break;
            }
        }
        out.putInt(lengthAt, out.position() - start);
    }

    static String getString(ByteBuffer in) {
        int n = in.getInt();
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] getBytes(ByteBuffer in) {
        int n = in.getInt();
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }
}

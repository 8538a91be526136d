package dev.navis.storage;

/** One version of one key, as etcd's mvccpb.KeyValue. The value array must not be modified. */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {
}

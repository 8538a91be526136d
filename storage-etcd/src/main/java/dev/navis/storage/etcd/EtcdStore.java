package dev.navis.storage.etcd;

import dev.navis.storage.CompactedException;
import dev.navis.storage.ConflictException;
import dev.navis.storage.FutureRevisionException;
import dev.navis.storage.KeyExistsException;
import dev.navis.storage.KeyNotFoundException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.LeaseNotFoundException;
import dev.navis.storage.RangeResult;
import dev.navis.storage.Store;
import dev.navis.storage.StoreException;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchListener;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link Store} contract over a real etcd v3 cluster, through jetcd. Revisions are etcd's own: an empty
 * etcd is at revision 1 (etcd counts its initial state as a revision), so the first write is revision 2, and
 * the API server's resourceVersions are etcd revisions, readable with {@code etcdctl}.
 *
 * <p>Conditional writes are etcd transactions: a create compares {@code create_revision == 0}, an update
 * {@code mod_revision == expected}; on failure the transaction's else branch reads the key so that the
 * exception carries the current value. Watches ask for {@code prev_kv} and progress notifications (their
 * period is etcd's {@code --experimental-watch-progress-notify-interval}, 10 minutes by default) and are
 * delivered through {@link EtcdWatch}, which buffers a bounded number of events per watch and re-opens the
 * etcd watch from the next revision when its listener falls behind.
 *
 * <p>etcd does not report its compacted revision. This store learns it the way etcd tells watchers: a read
 * at revision 1 succeeds while nothing has been compacted; otherwise a watch from revision 1 is cancelled at
 * once with {@code compact_revision}. The answer is cached, set after each {@link #compact} this store
 * performs, and probed again whenever etcd answers a read or watch with "compacted" (another client may have
 * compacted), so it is never ahead of etcd and is current after every compaction this process sees.
 */
public class EtcdStore implements Store {

    private static final long TIMEOUT_SECONDS = 30;
    private static final ByteSequence PROBE_KEY = bytes("\0");
    private static final ByteSequence ALL_KEYS_END = bytes("\0");

    private final Client client;
    private final KV kv;
    private final int watchBufferSize;
    private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long compactedRevision;

    /**
     * @param client          the jetcd client; this store closes it
     * @param watchBufferSize events buffered per watch before it is set aside to catch up from etcd's history
     */
    public EtcdStore(Client client, int watchBufferSize) {
        this.client = client;
        this.kv = client.getKVClient();
        this.watchBufferSize = Math.max(1, watchBufferSize);
        this.compactedRevision = probeCompactedRevision();
    }

    /** A store over {@code config}'s endpoints, with the default watch buffer (1024 events). */
    public static EtcdStore connect(EtcdConfig config) {
        return new EtcdStore(config.newClient(), 1024);
    }

    Client client() {
        return client;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public long currentRevision() {
        return call(kv.get(PROBE_KEY, GetOption.builder().withCountOnly(true).build()), 0)
                .getHeader().getRevision();
    }

    @Override
    public long compactedRevision() {
        return compactedRevision;
    }

    @Override
    public KeyValue get(String key, long revision) {
        GetResponse r = call(kv.get(bytes(key), GetOption.builder().withRevision(revision).build()), revision);
        return r.getKvs().isEmpty() ? null : toKeyValue(r.getKvs().get(0));
    }

    @Override
    public RangeResult range(String fromKey, String endKey, long revision, long limit) {
        GetOption option = GetOption.builder().withRange(rangeEnd(endKey)).withRevision(revision).withLimit(limit)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build();
        GetResponse r = call(kv.get(rangeStart(fromKey), option), revision);
        List<KeyValue> kvs = new ArrayList<>(r.getKvs().size());
        r.getKvs().forEach(k -> kvs.add(toKeyValue(k)));
        long at = revision != 0 ? revision : r.getHeader().getRevision();
        return new RangeResult(kvs, at, r.isMore(), r.getCount());
    }

    @Override
    public long count(String prefix) {
        GetOption option = GetOption.builder().withRange(rangeEnd(Store.prefixEnd(prefix))).withCountOnly(true).build();
        return call(kv.get(rangeStart(prefix), option), 0).getCount();
    }

    // ------------------------------------------------------------------ writes

    @Override
    public long create(String key, byte[] value, long leaseId) {
        ByteSequence k = bytes(key);
        TxnResponse r = call(kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(k, ByteSequence.from(value), putOption(leaseId)))
                .commit(), 0);
        if (!r.isSucceeded()) {
            throw new KeyExistsException("key " + key + " already exists");
        }
        return r.getHeader().getRevision();
    }

    @Override
    public long update(String key, long expectedModRevision, byte[] value, long leaseId) {
        ByteSequence k = bytes(key);
        TxnResponse r = call(kv.txn()
                .If(new Cmp(k, Cmp.Op.GREATER, CmpTarget.version(0)),
                        new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.put(k, ByteSequence.from(value), putOption(leaseId)))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(), 0);
        if (!r.isSucceeded()) {
            throw writeFailure(key, expectedModRevision, r);
        }
        return r.getHeader().getRevision();
    }

    @Override
    public long delete(String key, long expectedModRevision) {
        ByteSequence k = bytes(key);
        Cmp condition = expectedModRevision == 0
                ? new Cmp(k, Cmp.Op.GREATER, CmpTarget.version(0))
                : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision));
        TxnResponse r = call(kv.txn()
                .If(condition)
                .Then(Op.delete(k, DeleteOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(), 0);
        if (!r.isSucceeded()) {
            throw writeFailure(key, expectedModRevision, r);
        }
        return r.getHeader().getRevision();
    }

    private static StoreException writeFailure(String key, long expected, TxnResponse r) {
        List<io.etcd.jetcd.KeyValue> found = r.getGetResponses().isEmpty() ? List.of() : r.getGetResponses().get(0).getKvs();
        if (found.isEmpty()) {
            return new KeyNotFoundException("key " + key + " not found");
        }
        KeyValue current = toKeyValue(found.get(0));
        return new ConflictException("key " + key + " was modified at revision " + current.modRevision()
                + " (expected " + expected + ")", current);
    }

    private static PutOption putOption(long leaseId) {
        return leaseId == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(leaseId).build();
    }

    // ------------------------------------------------------------------ compaction

    @Override
    public void compact(long revision) {
        call(kv.compact(revision), revision);
        compactedRevision = Math.max(compactedRevision, revision);
    }

    /**
     * The revision etcd was compacted at, 0 when nothing was: a read at revision 1 only fails after a
     * compaction, and then a watch from revision 1 is cancelled at once with the compact revision.
     */
    long probeCompactedRevision() {
        try {
            await(kv.get(PROBE_KEY, GetOption.builder().withCountOnly(true).withRevision(1).build()));
            return 0;
        } catch (EtcdFailure e) {
            if (e.getCause() instanceof io.etcd.jetcd.common.exception.CompactedException c) {
                return c.getCompactedRevision();
            }
            if (!isCompacted(e)) {
                throw translate(e, 0);
            }
        }
        CompletableFuture<Long> answer = new CompletableFuture<>();
        io.etcd.jetcd.Watch.Watcher probe = client.getWatchClient().watch(PROBE_KEY,
                WatchOption.builder().withRevision(1).build(),
                io.etcd.jetcd.Watch.listener(response -> { }, error -> {
                    if (error instanceof io.etcd.jetcd.common.exception.CompactedException c) {
                        answer.complete(c.getCompactedRevision());
                    } else {
                        answer.completeExceptionally(error);
                    }
                }));
        try {
            return await(answer);
        } catch (EtcdFailure e) {
            throw new StoreException("cannot learn etcd's compacted revision: " + e.getMessage(), e.getCause());
        } finally {
            probe.close();
        }
    }

    /** The compacted revision after etcd reported a compaction: re-probed, since another client may have compacted. */
    long refreshCompactedRevision() {
        long probed = probeCompactedRevision();
        compactedRevision = Math.max(compactedRevision, probed);
        return compactedRevision;
    }

    // ------------------------------------------------------------------ watch

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        checkOpen();
        if (fromRevision > 0 && fromRevision < compactedRevision) {
            throw new CompactedException(fromRevision, compactedRevision);
        }
        EtcdWatch w = new EtcdWatch(this, rangeStart(prefix), rangeEnd(Store.prefixEnd(prefix)), fromRevision, listener,
                watchBufferSize, watches::remove);
        watches.add(w);
        w.start();
        return w;
    }

    // ------------------------------------------------------------------ leases

    @Override
    public long grantLease(long ttlSeconds) {
        return call(client.getLeaseClient().grant(ttlSeconds), 0).getID();
    }

    @Override
    public boolean keepAliveLease(long leaseId) {
        try {
            return call(client.getLeaseClient().keepAliveOnce(leaseId), 0).getTTL() > 0;
        } catch (LeaseNotFoundException e) {
            return false;
        }
    }

    @Override
    public void revokeLease(long leaseId) {
        call(client.getLeaseClient().revoke(leaseId), 0);
    }

    @Override
    public List<String> leaseKeys(long leaseId) {
        LeaseTimeToLiveResponse r = call(client.getLeaseClient().timeToLive(leaseId,
                LeaseOption.builder().withAttachedKeys().build()), 0);
        return r.getKeys().stream().map(k -> k.toString()).sorted().toList();
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (EtcdWatch w : List.copyOf(watches)) {
            w.fail(new StoreException("store closed"));
        }
        client.close();
    }

    void checkOpen() {
        if (closed.get()) {
            throw new StoreException("store closed");
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Waits for an etcd call and turns its failure into the contract's exceptions. */
    <T> T call(CompletableFuture<T> future, long revision) {
        checkOpen();
        try {
            return await(future);
        } catch (EtcdFailure e) {
            throw translate(e, revision);
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new StoreException("interrupted", e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new StoreException("etcd did not answer within " + TIMEOUT_SECONDS + "s", e);
        } catch (ExecutionException e) {
            throw new EtcdFailure(e.getCause());
        }
    }

    /** An etcd call failed (a jetcd or gRPC exception); {@link #translate} maps it onto the contract. */
    static final class EtcdFailure extends RuntimeException {
        EtcdFailure(Throwable cause) {
            super(String.valueOf(cause.getMessage()), cause);
        }
    }

    static boolean isCompacted(Throwable e) {
        return e instanceof io.etcd.jetcd.common.exception.CompactedException
                || e.getCause() instanceof io.etcd.jetcd.common.exception.CompactedException
                || String.valueOf(e.getMessage()).contains("required revision has been compacted");
    }

    RuntimeException translate(EtcdFailure e, long revision) {
        String message = String.valueOf(e.getMessage());
        if (isCompacted(e)) {
            return new CompactedException(revision, refreshCompactedRevision());
        }
        if (message.contains("required revision is a future revision")) {
            return new FutureRevisionException(revision, currentRevision());
        }
        if (message.contains("requested lease not found")) {
            return new LeaseNotFoundException("lease not found");
        }
        return new StoreException("etcd: " + message, e.getCause());
    }

    static KeyValue toKeyValue(io.etcd.jetcd.KeyValue k) {
        return new KeyValue(k.getKey().toString(), k.getValue().getBytes(), k.getCreateRevision(),
                k.getModRevision(), k.getVersion(), k.getLease());
    }

    /** A range's first key; etcd rejects an empty one, and "\0" is the smallest key. */
    static ByteSequence rangeStart(String fromKey) {
        return fromKey.isEmpty() ? ALL_KEYS_END : bytes(fromKey);
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The contract's end key; its "every key" end ({@code "\uffff"}) is etcd's {@code "\0"}. */
    static ByteSequence rangeEnd(String endKey) {
        return endKey.equals("\uffff") ? ALL_KEYS_END : bytes(endKey);
    }
}

package dev.navis.storage.etcd;

import dev.navis.storage.CompactedException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.StoreException;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;

/**
 * One {@link Watch} over an etcd watch. Events arrive on jetcd's threads and are handed to the listener on
 * this watch's own thread through a bounded buffer: when the listener falls {@code bufferSize} events
 * behind, the etcd watch is closed and, once the listener has drained the buffer, re-opened from the next
 * revision it needs, so a slow listener costs memory for its buffer only and reads the rest from etcd's
 * history (or ends with {@link CompactedException} when that history is gone). jetcd itself re-opens the
 * etcd watch from the next revision after a connection failure, so events are delivered exactly once.
 */
final class EtcdWatch implements Watch {

    /** An item of the buffer: a batch of events of whole revisions, a progress mark, or the end. */
    private sealed interface Item {
    }

    private record Events(List<WatchEvent> events) implements Item {
    }

    private record Progress(long revision) implements Item {
    }

    private record End(RuntimeException error) implements Item {
    }

    private final EtcdStore store;
    private final ByteSequence key;
    private final ByteSequence end;
    private final WatchListener listener;
    private final int bufferSize;
    private final Consumer<EtcdWatch> onClosed;

    private final Object lock = new Object();
    private final ArrayDeque<Item> buffer = new ArrayDeque<>();
    private int buffered;
    /** The revision the next delivered event must have at least (0 until the first one when watching from now). */
    private long nextRevision;
    /** Counts etcd watches opened; responses of an older one are ignored. */
    private long generation;
    private io.etcd.jetcd.Watch.Watcher watcher;
    private boolean overflowed;
    private boolean ended;
    private Thread thread;

    EtcdWatch(EtcdStore store, ByteSequence key, ByteSequence end, long fromRevision, WatchListener listener,
              int bufferSize, Consumer<EtcdWatch> onClosed) {
        this.store = store;
        this.key = key;
        this.end = end;
        this.listener = listener;
        this.bufferSize = bufferSize;
        this.onClosed = onClosed;
        this.nextRevision = fromRevision;
    }

    void start() {
        synchronized (lock) {
            open();
        }
        thread = Thread.ofPlatform().daemon().name("etcd-watch " + key).start(this::deliver);
    }

    /** Opens an etcd watch from {@link #nextRevision}; called with the lock held. */
    private void open() {
        long gen = ++generation;
        WatchOption option = WatchOption.builder().withRange(end).withRevision(nextRevision)
                .withPrevKV(true).withProgressNotify(true).build();
        watcher = store.client().getWatchClient().watch(key, option, io.etcd.jetcd.Watch.listener(
                response -> onResponse(gen, response),
                error -> onEtcdError(gen, error)));
    }

    private void onResponse(long gen, WatchResponse response) {
        synchronized (lock) {
            if (gen != generation || ended || overflowed) {
                return;
            }
            if (response.getEvents().isEmpty()) {
                if (response.isProgressNotify()) {
                    enqueue(new Progress(response.getHeader().getRevision()), 0);
                }
                return;
            }
            if (buffered >= bufferSize) {
                // the listener is behind: stop this etcd watch and read from history when it has caught up
                overflowed = true;
                closeWatcher();
                return;
            }
            List<WatchEvent> events = response.getEvents().stream()
                    .filter(e -> e.getKeyValue().getModRevision() >= nextRevision)
                    .map(EtcdWatch::toEvent).toList();
            if (events.isEmpty()) {
                return;
            }
            nextRevision = events.get(events.size() - 1).revision() + 1;
            enqueue(new Events(events), events.size());
        }
    }

    private void onEtcdError(long gen, Throwable error) {
        // jetcd re-opens the watch itself after connection failures; only compaction ends it here
        if (!EtcdStore.isCompacted(error)) {
            return;
        }
        long compacted = error instanceof io.etcd.jetcd.common.exception.CompactedException c
                ? c.getCompactedRevision() : 0;
        synchronized (lock) {
            if (gen != generation || ended) {
                return;
            }
            long requested = nextRevision;
            end(new End(new CompactedException(requested, Math.max(compacted, store.compactedRevision()))));
        }
    }

    private void enqueue(Item item, int events) {
        buffer.add(item);
        buffered += events;
        lock.notifyAll();
    }

    /** Ends the watch with an error, after what is buffered; called with the lock held. */
    private void end(End item) {
        if (ended) {
            return;
        }
        ended = true;
        closeWatcher();
        enqueue(item, 0);
    }

    private void closeWatcher() {
        if (watcher != null) {
            io.etcd.jetcd.Watch.Watcher w = watcher;
            watcher = null;
            generation++;
            w.close();
        }
    }

    /** The watch's own thread: hands buffered items to the listener, re-opening the etcd watch after an overflow. */
    private void deliver() {
        while (true) {
            Item item;
            synchronized (lock) {
                while (buffer.isEmpty()) {
                    if (overflowed && !ended) {
                        overflowed = false;
                        try {
                            open();
                        } catch (RuntimeException e) {
                            end(new End(new StoreException("cannot re-open the etcd watch: " + e.getMessage(), e)));
                        }
                        continue;
                    }
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                item = buffer.poll();
                if (item instanceof Events ev) {
                    buffered -= ev.events().size();
                }
            }
            switch (item) {
                case Events ev -> ev.events().forEach(listener::onEvent);
                case Progress p -> listener.onProgress(p.revision());
                case End e -> {
                    onClosed.accept(this);
                    if (e.error() != null) {
                        listener.onError(e.error());
                    }
                    return;
                }
            }
        }
    }

    /** Ends the watch with {@code error} (the store closed). */
    void fail(RuntimeException error) {
        synchronized (lock) {
            end(new End(error));
        }
    }

    /** etcd answers a progress request on the watch stream with a progress notify once its watches are synced. */
    @Override
    public void requestProgress() {
        store.client().getWatchClient().requestProgress();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (!ended) {
                ended = true;
                closeWatcher();
                buffer.clear();
                enqueue(new End(null), 0);
            }
        }
        onClosed.accept(this);
    }

    private static WatchEvent toEvent(io.etcd.jetcd.watch.WatchEvent e) {
        io.etcd.jetcd.KeyValue kv = e.getKeyValue();
        io.etcd.jetcd.KeyValue prev = e.getPrevKV();
        KeyValue prevKv = prev == null || prev.getKey().isEmpty() ? null : EtcdStore.toKeyValue(prev);
        if (e.getEventType() == io.etcd.jetcd.watch.WatchEvent.EventType.DELETE) {
            return new WatchEvent(WatchEvent.Type.DELETE,
                    new KeyValue(kv.getKey().toString(), null, 0, kv.getModRevision(), 0, 0), prevKv);
        }
        return new WatchEvent(WatchEvent.Type.PUT, EtcdStore.toKeyValue(kv), prevKv);
    }
}

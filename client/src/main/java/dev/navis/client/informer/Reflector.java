package dev.navis.client.informer;

import dev.navis.client.ApiException;
import dev.navis.client.ListOptions;
import dev.navis.client.ObjectList;
import dev.navis.client.ResourceClient;
import dev.navis.client.Watch;
import dev.navis.client.WatchEvent;
import dev.navis.client.util.Clock;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link Sink} in step with the server, as client-go's Reflector:
 * <ol>
 *   <li>list, hand the items to {@link Sink#replace} and remember the list's resourceVersion;</li>
 *   <li>watch from that resourceVersion (with bookmarks), apply each event and remember each event's
 *       resourceVersion;</li>
 *   <li>when the stream ends (server timeout) or breaks (dropped connection), watch again from the last
 *       resourceVersion seen, so no event is lost and nothing is listed again;</li>
 *   <li>when the server says that resourceVersion is too old (410 Expired/Gone, as a response or as an
 *       ERROR event), list again at once;</li>
 *   <li>on other errors, and after a stream that ended within a second without any event, wait with
 *       exponential backoff, then retry.</li>
 * </ol>
 */
public final class Reflector<T extends HasMetadata> {

    private static final Logger LOG = LoggerFactory.getLogger(Reflector.class);
    private static final long VERY_SHORT_WATCH_NANOS = 1_000_000_000L;

    /** Where the reflector puts what it learns. Calls come from the reflector's single thread. */
    public interface Sink<T> {
        void replace(List<T> items, String resourceVersion);

        void added(T object);

        void modified(T object);

        void deleted(T object);
    }

    private final ResourceClient<T> client;
    private final ListOptions selector;
    private final Sink<T> sink;
    private final Backoff backoff;
    private final Clock clock;
    private final Object sleepLock = new Object();
    private volatile boolean stopped;
    private volatile Watch<T> currentWatch;
    private volatile String lastResourceVersion = "";
    private boolean relistNeeded = true;
    private boolean lastVersionUnavailable;
    private int failures;

    /**
     * @param client   the resource, scoped to a namespace or not
     * @param selector label/field selectors applied to list and watch (resourceVersion fields are ignored)
     */
    public Reflector(ResourceClient<T> client, ListOptions selector, Sink<T> sink, Backoff backoff, Clock clock) {
        this.client = client;
        this.selector = selector;
        this.sink = sink;
        this.backoff = backoff;
        this.clock = clock;
    }

    /** The resourceVersion of the last list or event seen. */
    public String lastSyncResourceVersion() {
        return lastResourceVersion;
    }

    /** Runs until {@link #stop()}; call on a dedicated thread. */
    public void run() {
        while (!stopped) {
            try {
                if (relistNeeded) {
                    list();
                }
                long started = clock.nanoTime();
                if (!watchOnce() && clock.nanoTime() - started < VERY_SHORT_WATCH_NANOS && !stopped) {
                    // a stream closed at once without events: a struggling server; do not spin on it
                    LOG.warn("{}: very short watch, backing off", client.ref().groupResource());
                    sleepBackoff();
                } else {
                    failures = 0;
                }
            } catch (ApiException e) {
                if (stopped) {
                    return;
                }
                if (e.isGone()) {
                    expired(e.getMessage());
                    continue;
                }
                LOG.warn("{}: list/watch failed: {}", client.ref().groupResource(), e.getMessage());
                sleepBackoff();
            } catch (RuntimeException e) {
                if (stopped) {
                    return;
                }
                // a dropped connection: resume the watch from the last resourceVersion after a backoff
                LOG.warn("{}: watch broken: {}", client.ref().groupResource(), e.toString());
                sleepBackoff();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    public void stop() {
        stopped = true;
        Watch<T> w = currentWatch;
        if (w != null) {
            w.close();
        }
        synchronized (sleepLock) {
            sleepLock.notifyAll();
        }
    }

    private void list() {
        // "0" lets the server answer from its watch cache; after an expiry ask for a consistent list ("")
        String rv = lastVersionUnavailable ? "" : "0";
        ObjectList<T> list = client.list(selector.withResourceVersion(rv).withContinue(null).withLimit(0)
                .withAllowWatchBookmarks(false).withTimeoutSeconds(null));
        sink.replace(list.items(), list.resourceVersion());
        lastResourceVersion = list.resourceVersion();
        relistNeeded = false;
        lastVersionUnavailable = false;
    }

    /**
     * One watch stream, applied until it ends; returns whether it carried any event (so that the caller can
     * tell a normal server timeout from a stream that closes at once), throws to back off.
     */
    private boolean watchOnce() throws InterruptedException {
        long timeout = 300 + ThreadLocalRandom.current().nextLong(300); // 5-10 minutes, as client-go
        Watch<T> w = client.watch(selector.withResourceVersion(lastResourceVersion).withAllowWatchBookmarks(true)
                .withTimeoutSeconds(timeout).withContinue(null).withLimit(0));
        currentWatch = w;
        try {
            if (stopped) {
                return true;
            }
            boolean any = false;
            WatchEvent<T> event;
            while ((event = w.next()) != null) {
                if (event.type() == WatchEvent.Type.ERROR) {
                    throw new ApiException(event.status());
                }
                T obj = event.object();
                switch (event.type()) {
                    case ADDED -> sink.added(obj);
                    case MODIFIED -> sink.modified(obj);
                    case DELETED -> sink.deleted(obj);
                    default -> { } // BOOKMARK: only the resourceVersion matters
                }
                String rv = obj == null || obj.getMetadata() == null ? null : obj.getMetadata().getResourceVersion();
                if (rv != null && !rv.isEmpty()) {
                    lastResourceVersion = rv;
                }
                any = true;
            }
            return any;
        } finally {
            currentWatch = null;
            w.close();
        }
    }

    private void expired(String message) {
        LOG.info("{}: watch expired ({}), relisting", client.ref().groupResource(), message);
        relistNeeded = true;
        lastVersionUnavailable = true;
    }

    private void sleepBackoff() {
        failures++;
        long deadline = clock.nanoTime() + backoff.delayNanos(failures);
        synchronized (sleepLock) {
            while (!stopped && clock.nanoTime() < deadline) {
                try {
                    clock.waitUntil(sleepLock, deadline);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}

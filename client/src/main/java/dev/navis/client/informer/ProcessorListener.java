package dev.navis.client.informer;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications to one handler, serially and in order, on its own thread, with an unbounded
 * buffer so that the informer never waits for a slow handler (client-go's processorListener).
 */
final class ProcessorListener<T> {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessorListener.class);

    private sealed interface Notification<T> permits Add, Update, Delete, Stop {
    }

    private record Add<T>(T object) implements Notification<T> {
    }

    private record Update<T>(T oldObject, T newObject) implements Notification<T> {
    }

    private record Delete<T>(T object, boolean finalStateUnknown) implements Notification<T> {
    }

    private record Stop<T>() implements Notification<T> {
    }

    private final ResourceEventHandler<T> handler;
    private final boolean wantsResync;
    private final BlockingQueue<Notification<T>> pending = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile long delivered;
    private volatile long queued;

    ProcessorListener(ResourceEventHandler<T> handler, boolean wantsResync, String name) {
        this.handler = handler;
        this.wantsResync = wantsResync;
        this.thread = Thread.ofVirtual().name("informer-handler-" + name).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    boolean wantsResync() {
        return wantsResync;
    }

    void add(T object) {
        enqueue(new Add<>(object));
    }

    void update(T oldObject, T newObject) {
        enqueue(new Update<>(oldObject, newObject));
    }

    void delete(T object, boolean finalStateUnknown) {
        enqueue(new Delete<>(object, finalStateUnknown));
    }

    void stop() {
        pending.offer(new Stop<>());
    }

    /** Whether every notification queued so far has been handled. */
    boolean idle() {
        return delivered == queued;
    }

    private synchronized void enqueue(Notification<T> n) {
        queued++;
        pending.offer(n);
    }

    private void run() {
        while (true) {
            Notification<T> n;
            try {
                n = pending.take();
            } catch (InterruptedException e) {
                return;
            }
            if (n instanceof Stop<T>) {
                return;
            }
            try {
                switch (n) {
                    case Add<T> a -> handler.onAdd(a.object());
                    case Update<T> u -> handler.onUpdate(u.oldObject(), u.newObject());
                    case Delete<T> d -> handler.onDelete(d.object(), d.finalStateUnknown());
                    case Stop<T> s -> { }
                }
            } catch (RuntimeException e) {
                // a failing handler must not stop delivery to itself or to others
                LOG.error("event handler failed", e);
            } finally {
                delivered++;
            }
        }
    }
}

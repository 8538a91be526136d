package dev.navis.apiserver.server;

import java.time.Duration;

import dev.navis.apiserver.RequestInfo;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Counts the short requests in flight so that shutdown can let them finish: {@link #awaitIdle} returns once none
 * is left. Long-running requests (watches, exec, ...) are not counted; shutdown ends them separately.
 */
public final class DrainHandler extends Handler.Wrapper {
    private final Object lock = new Object();
    /** Counted without the lock: every request passes here twice; only the last one out wakes a waiter. */
    private final java.util.concurrent.atomic.AtomicLong inFlight = new java.util.concurrent.atomic.AtomicLong();

    public DrainHandler(Handler next) {
        super(next);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        RequestInfo info = RequestInfoHandler.of(request);
        if (info.isLongRunning()) {
            return super.handle(request, response, callback);
        }
        enter();
        Callback leaving = Callback.from(callback, this::leave);
        boolean handled;
        try {
            handled = super.handle(request, response, leaving);
        } catch (Throwable t) {
            leave();
            throw t;
        }
        if (!handled) {
            leave();
        }
        return handled;
    }

    /** Waits until no counted request is in flight or {@code timeout} passed; returns true when idle. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    public long inFlight() {
        return inFlight.get();
    }

    private void enter() {
        inFlight.incrementAndGet();
    }

    private void leave() {
        if (inFlight.decrementAndGet() == 0) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }
}

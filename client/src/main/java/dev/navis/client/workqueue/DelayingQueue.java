package dev.navis.client.workqueue;

import dev.navis.client.util.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A {@link WorkQueue} that can also add an item after a delay. One waiter thread moves due items into the
 * queue; an item waiting twice keeps the earlier deadline, as in client-go.
 */
public class DelayingQueue<T> extends WorkQueue<T> {

    private record Waiting<T>(T item, long readyAt, long seq) {
    }

    private final Clock clock;
    private final Object waitLock = new Object();
    private final PriorityQueue<Waiting<T>> waiting = new PriorityQueue<>((a, b) -> a.readyAt != b.readyAt
            ? Long.compare(a.readyAt, b.readyAt) : Long.compare(a.seq, b.seq));
    private final Map<T, Waiting<T>> waitingByItem = new HashMap<>();
    private final Thread waiter;
    private long seq;
    private volatile boolean stopped;

    public DelayingQueue(String name, Clock clock) {
        super(name);
        this.clock = clock;
        this.waiter = Thread.ofPlatform().daemon().name("workqueue-delay-" + name).start(this::waitLoop);
    }

    /** Adds {@code item} once {@code delay} has passed (immediately when it is zero or negative). */
    public void addAfter(T item, Duration delay) {
        if (isShuttingDown()) {
            return;
        }
        if (delay.isZero() || delay.isNegative()) {
            add(item);
            return;
        }
        synchronized (waitLock) {
            long readyAt = clock.nanoTime() + delay.toNanos();
            Waiting<T> existing = waitingByItem.get(item);
            if (existing != null) {
                if (existing.readyAt() <= readyAt) {
                    return;
                }
                waiting.remove(existing);
            }
            Waiting<T> w = new Waiting<>(item, readyAt, seq++);
            waiting.add(w);
            waitingByItem.put(item, w);
            if (waiting.peek() == w) {
                waitLock.notifyAll(); // the waiter sleeps until the earliest deadline: only a new earliest moves it
            }
        }
    }

    /** Items waiting for their delay to pass. */
    public int waitingCount() {
        synchronized (waitLock) {
            return waiting.size();
        }
    }

    @Override
    public void shutDown() {
        super.shutDown();
        stopWaiter();
    }

    @Override
    public void shutDownWithDrain() throws InterruptedException {
        stopWaiter();
        super.shutDownWithDrain();
    }

    private void stopWaiter() {
        stopped = true;
        synchronized (waitLock) {
            waitLock.notifyAll();
        }
    }

    private void waitLoop() {
        synchronized (waitLock) {
            while (!stopped) {
                long now = clock.nanoTime();
                while (!waiting.isEmpty() && waiting.peek().readyAt() <= now) {
                    Waiting<T> w = waiting.poll();
                    waitingByItem.remove(w.item());
                    add(w.item());
                }
                long next = waiting.isEmpty() ? now + Duration.ofSeconds(10).toNanos() : waiting.peek().readyAt();
                try {
                    clock.waitUntil(waitLock, next);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}

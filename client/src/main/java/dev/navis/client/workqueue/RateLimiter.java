package dev.navis.client.workqueue;

import java.time.Duration;

/** Decides how long an item waits before it is retried (client-go's workqueue.RateLimiter). */
public interface RateLimiter<T> {

    /** The delay before {@code item} may be processed again; counts one more failure of it. */
    Duration when(T item);

    /** Stops tracking {@code item}: its next failure starts from the base delay again. */
    void forget(T item);

    /** How many times {@code item} has been requeued since it was last forgotten. */
    int numRequeues(T item);
}

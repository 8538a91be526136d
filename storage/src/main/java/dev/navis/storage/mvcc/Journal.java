package dev.navis.storage.mvcc;

/**
 * Where the store's changes become durable before they are acknowledged. The store calls {@link #append}
 * with its write lock held, so changes arrive in revision order; it calls {@link #await} after releasing
 * the lock, so many writers share one flush (group commit).
 */
interface Journal extends AutoCloseable {
    /** Queues a change; returns a ticket for {@link #await}. */
    long append(Change change);

    /** Returns once the change with this ticket (and every earlier one) is durable. */
    void await(long ticket);

    @Override
    void close();

    /** No durability: every change counts as durable as soon as it is applied (unit tests, caches). */
    final class InMemory implements Journal {
        private final java.util.function.LongConsumer onDurable;

        InMemory(java.util.function.LongConsumer onDurable) {
            this.onDurable = onDurable;
        }

        @Override
        public long append(Change change) {
            if (change.revision() > 0) {
                onDurable.accept(change.revision());
            }
            return 0;
        }

        @Override
        public void await(long ticket) {
        }

        @Override
        public void close() {
        }
    }
}

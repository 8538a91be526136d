package dev.navis.client.workqueue;

/**
 * Where work queues report their metrics (client-go's workqueue.MetricsProvider): the client library knows
 * no metrics library; a process that exports metrics installs a provider once with {@link #set} before its
 * queues are built, and each named queue then reports adds, waits, work, retries and its live state.
 */
public interface WorkQueueMetricsProvider {

    /** What a queue tells its metrics; durations in nanoseconds. */
    interface QueueMetrics {
        void added();

        /** An item was handed to a worker after waiting {@code waitedNanos} in the queue. */
        void started(long waitedNanos);

        /** A worker finished an item it held for {@code workedNanos}. */
        void finished(long workedNanos);

        void retried();
    }

    /** A queue's live state, read when metrics are collected. */
    interface QueueState {
        int depth();

        /** Seconds the items being processed have been held, summed (client-go's unfinished work). */
        double unfinishedWorkSeconds();

        /** Seconds the longest-held item being processed has been held. */
        double longestRunningProcessorSeconds();
    }

    /** Metrics of the queue named {@code name}; called once per queue. */
    QueueMetrics newQueue(String name, QueueState state);

    WorkQueueMetricsProvider NOOP = (name, state) -> new QueueMetrics() {
        @Override
        public void added() {
        }

        @Override
        public void started(long waitedNanos) {
        }

        @Override
        public void finished(long workedNanos) {
        }

        @Override
        public void retried() {
        }
    };

    /** Installs the provider of the queues built from now on (client-go's SetProvider). */
    static void set(WorkQueueMetricsProvider provider) {
        Installed.provider = provider == null ? NOOP : provider;
    }

    static WorkQueueMetricsProvider current() {
        return Installed.provider;
    }

    /** Holder of the process-wide provider. */
    final class Installed {
        private static volatile WorkQueueMetricsProvider provider = NOOP;

        private Installed() {
        }
    }
}

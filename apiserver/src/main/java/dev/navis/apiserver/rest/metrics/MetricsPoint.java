package dev.navis.apiserver.rest.metrics;

import java.time.Instant;

/**
 * One reading of a node or container, as a kubelet's /metrics/resource reports it.
 *
 * @param startTime         when the container started (its CPU counter was zero then); null for nodes
 * @param timestamp         when the CPU counter was read
 * @param cumulativeCpuNanos CPU time used since the start, in core-nanoseconds
 * @param memoryBytes       the memory working set
 */
public record MetricsPoint(Instant startTime, Instant timestamp, long cumulativeCpuNanos, long memoryBytes) {
}

package dev.navis.scheduler.framework;

/**
 * One container image on a node: its size and on how many nodes of the cluster it is present (for
 * ImageLocality's spread scaling).
 */
public record ImageStateSummary(long sizeBytes, int numNodes) {
}

package dev.navis.controllers.util;

import dev.navis.controllers.util.PodConditions;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which surplus pods go first: upstream's ActivePodsWithRanks ordering (getPodsToDelete). Earlier in the
 * order means deleted first:
 * <ol>
 *   <li>not yet scheduled before scheduled;</li>
 *   <li>Pending before Unknown before Running;</li>
 *   <li>not ready before ready;</li>
 *   <li>more pods of the same set on its node before fewer (spreads the survivors);</li>
 *   <li>ready for a shorter time before longer;</li>
 *   <li>more container restarts before fewer;</li>
 *   <li>created later before earlier.</li>
 * </ol>
 */
public final class DeletionRanking {

    private DeletionRanking() {
    }

    /**
     * Upstream's ActivePods order (used by the Job controller): the ranking above without the per-node
     * crowding step. Earlier in the order means deleted first.
     */
    public static final Comparator<Pod> ACTIVE_PODS = Comparator
            .comparing((Pod p) -> !nodeName(p).isEmpty())
            .thenComparingInt(p -> phaseRank(PodConditions.phase(p)))
            .thenComparing(PodConditions::isReady)
            .thenComparing(DeletionRanking::readyLongerLast)
            .thenComparing(p -> -PodConditions.restarts(p))
            .thenComparing(PodConditions::created, Comparator.reverseOrder());

    /** The {@code count} pods of {@code active} to delete, in deletion order. */
    public static List<Pod> podsToDelete(List<Pod> active, int count) {
        Map<String, Integer> perNode = new HashMap<>();
        for (Pod p : active) {
            String node = nodeName(p);
            if (!node.isEmpty()) {
                perNode.merge(node, 1, Integer::sum);
            }
        }
        Comparator<Pod> order = Comparator
                .comparing((Pod p) -> !nodeName(p).isEmpty())
                .thenComparingInt(p -> phaseRank(PodConditions.phase(p)))
                .thenComparing(PodConditions::isReady)
                .thenComparing(p -> -perNode.getOrDefault(nodeName(p), 0))
                .thenComparing(DeletionRanking::readyLongerLast)
                .thenComparing(p -> -PodConditions.restarts(p))
                .thenComparing(PodConditions::created, Comparator.reverseOrder());
        List<Pod> sorted = new ArrayList<>(active);
        sorted.sort(order);
        return sorted.subList(0, Math.min(count, sorted.size()));
    }

    private static String nodeName(Pod p) {
        return p.getSpec() == null || p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
    }

    private static int phaseRank(String phase) {
        return switch (phase) {
            case "Pending" -> 0;
            case "Unknown" -> 1;
            case "Running" -> 2;
            default -> 0; // no phase yet: as good as pending
        };
    }

    /** Sort key so that the most recently readied pod comes first; pods without a time sort last. */
    private static long readyLongerLast(Pod p) {
        Instant since = PodConditions.readySince(p);
        return since == null ? Long.MAX_VALUE : -since.toEpochMilli();
    }
}

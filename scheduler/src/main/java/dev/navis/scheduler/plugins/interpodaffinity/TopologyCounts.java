package dev.navis.scheduler.plugins.interpodaffinity;

import java.util.HashMap;
import java.util.Map;

/**
 * Matching-term counts per topology pair (upstream's topologyToMatchedTermCount), as topology key → value →
 * count so a lookup allocates nothing; pairs whose count drops to zero are removed, so {@link #isEmpty}
 * means "no pair has a match".
 */
final class TopologyCounts {
    private final Map<String, Map<String, int[]>> counts;
    private int pairs;

    TopologyCounts() {
        this.counts = new HashMap<>(4);
    }

    /** Adds {@code delta} to the pair (key, node's value of key) when the node has the key. */
    void update(Map<String, String> nodeLabels, String key, int delta) {
        String value = nodeLabels == null ? null : nodeLabels.get(key);
        if (value == null) {
            return;
        }
        Map<String, int[]> byValue = counts.computeIfAbsent(key, k -> new HashMap<>());
        int[] c = byValue.get(value);
        if (c == null) {
            c = new int[1];
            byValue.put(value, c);
            pairs++;
        }
        c[0] += delta;
        if (c[0] == 0) {
            byValue.remove(value);
            pairs--;
            if (byValue.isEmpty()) {
                counts.remove(key);
            }
        }
    }

    /** Adds {@code count} to the pair (key, value). */
    void add(String key, String value, int count) {
        if (count == 0) {
            return;
        }
        Map<String, int[]> byValue = counts.computeIfAbsent(key, k -> new HashMap<>());
        int[] c = byValue.get(value);
        if (c == null) {
            c = new int[1];
            byValue.put(value, c);
            pairs++;
        }
        c[0] += count;
        if (c[0] == 0) {
            byValue.remove(value);
            pairs--;
            if (byValue.isEmpty()) {
                counts.remove(key);
            }
        }
    }

    int get(String key, String value) {
        Map<String, int[]> byValue = counts.get(key);
        if (byValue == null) {
            return 0;
        }
        int[] c = byValue.get(value);
        return c == null ? 0 : c[0];
    }

    boolean isEmpty() {
        return pairs == 0;
    }

    /** Whether any of the node's labels is a pair with a positive count. */
    boolean anyPositive(Map<String, String> nodeLabels) {
        if (pairs == 0 || nodeLabels == null) {
            return false;
        }
        for (Map.Entry<String, Map<String, int[]>> e : counts.entrySet()) {
            String v = nodeLabels.get(e.getKey());
            if (v != null) {
                int[] c = e.getValue().get(v);
                if (c != null && c[0] > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    TopologyCounts copy() {
        TopologyCounts t = new TopologyCounts();
        counts.forEach((k, m) -> {
            Map<String, int[]> mc = new HashMap<>(m.size() * 2);
            m.forEach((v, c) -> mc.put(v, new int[] {c[0]}));
            t.counts.put(k, mc);
        });
        t.pairs = pairs;
        return t;
    }
}

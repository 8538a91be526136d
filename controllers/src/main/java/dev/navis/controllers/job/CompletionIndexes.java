package dev.navis.controllers.job;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Completion indexes of Indexed Jobs as upstream keeps them: sorted, merged intervals written as
 * {@code status.completedIndexes} ("1,3-5,7"; two neighbours are written "1,2"). Immutable.
 */
final class CompletionIndexes {

    static final String ANNOTATION = "batch.kubernetes.io/job-completion-index";
    static final int UNKNOWN = -1;

    /** One closed interval of indexes. */
    record Interval(int first, int last) {
    }

    private final List<Interval> intervals;

    private CompletionIndexes(List<Interval> intervals) {
        this.intervals = List.copyOf(intervals);
    }

    static final CompletionIndexes NONE = new CompletionIndexes(List.of());

    /** Parses {@code status.completedIndexes}, dropping indexes >= {@code completions} and corrupt parts. */
    static CompletionIndexes parse(String text, int completions) {
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        List<Interval> result = new ArrayList<>();
        for (String part : text.split(",")) {
            String[] limits = part.split("-");
            int first;
            int last;
            try {
                first = Integer.parseInt(limits[0]);
                last = limits.length > 1 ? Integer.parseInt(limits[1]) : first;
            } catch (NumberFormatException e) {
                continue; // upstream logs and skips a corrupted interval
            }
            if (first >= completions) {
                break;
            }
            last = Math.min(last, completions - 1);
            Interval prev = result.isEmpty() ? null : result.get(result.size() - 1);
            if (prev != null && prev.last() == first - 1) {
                result.set(result.size() - 1, new Interval(prev.first(), last));
            } else {
                result.add(new Interval(first, last));
            }
        }
        return new CompletionIndexes(result);
    }

    /** These intervals plus {@code indexes}, merged. */
    CompletionIndexes with(Collection<Integer> indexes) {
        if (indexes.isEmpty()) {
            return this;
        }
        TreeSet<Integer> added = new TreeSet<>(indexes);
        List<Interval> all = new ArrayList<>(intervals);
        for (int ix : added) {
            all.add(new Interval(ix, ix));
        }
        all.sort((a, b) -> Integer.compare(a.first(), b.first()));
        List<Interval> merged = new ArrayList<>();
        for (Interval iv : all) {
            Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last == null || iv.first() > last.last() + 1) {
                merged.add(iv);
            } else if (iv.last() > last.last()) {
                merged.set(merged.size() - 1, new Interval(last.first(), iv.last()));
            }
        }
        return new CompletionIndexes(merged);
    }

    boolean has(int ix) {
        for (Interval iv : intervals) {
            if (iv.first() <= ix && ix <= iv.last()) {
                return true;
            }
        }
        return false;
    }

    int total() {
        int n = 0;
        for (Interval iv : intervals) {
            n += iv.last() - iv.first() + 1;
        }
        return n;
    }

    List<Interval> intervals() {
        return intervals;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Interval iv : intervals) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(iv.first());
            if (iv.last() > iv.first()) {
                sb.append(iv.last() == iv.first() + 1 ? ',' : '-').append(iv.last());
            }
        }
        return sb.toString();
    }

    /**
     * The first {@code count} indexes below {@code completions} that neither succeeded nor have an active
     * pod, lowest first.
     */
    static List<Integer> firstPending(List<Pod> activePods, CompletionIndexes succeeded, int count, int completions) {
        List<Integer> result = new ArrayList<>();
        if (count <= 0) {
            return result;
        }
        List<Integer> active = new ArrayList<>();
        for (Pod p : activePods) {
            int ix = of(p);
            if (ix != UNKNOWN) {
                active.add(ix);
            }
        }
        CompletionIndexes taken = succeeded.with(active);
        for (int candidate = 0; candidate < completions && result.size() < count; candidate++) {
            if (!taken.has(candidate)) {
                result.add(candidate);
            }
        }
        return result;
    }

    /** The pod's completion index from its annotation, {@link #UNKNOWN} when absent or invalid. */
    static int of(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String v = annotations == null ? null : annotations.get(ANNOTATION);
        if (v == null) {
            return UNKNOWN;
        }
        try {
            int i = Integer.parseInt(v);
            return i < 0 ? UNKNOWN : i;
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }
}

package dev.navis.scheduler.plugins.helper;

import dev.navis.scheduler.framework.ScorePlugin;

/** Upstream's helper.DefaultNormalizeScore. */
public final class Scores {
    private Scores() {
    }

    /**
     * Scales scores so the highest becomes {@code maxPriority}; with {@code reverse}, a high raw score becomes a
     * low one. All-zero scores become maxPriority when reversed, else stay 0.
     */
    public static void defaultNormalize(long maxPriority, boolean reverse, long[] scores) {
        long max = 0;
        for (long s : scores) {
            max = Math.max(max, s);
        }
        if (max == 0) {
            if (reverse) {
                java.util.Arrays.fill(scores, maxPriority);
            }
            return;
        }
        for (int i = 0; i < scores.length; i++) {
            long s = maxPriority * scores[i] / max;
            scores[i] = reverse ? maxPriority - s : s;
        }
    }

    public static void defaultNormalize(boolean reverse, long[] scores) {
        defaultNormalize(ScorePlugin.MAX_NODE_SCORE, reverse, scores);
    }
}

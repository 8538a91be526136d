package dev.navis.client.util;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;

/**
 * Whether tolerations tolerate a taint, as upstream's core/v1 helpers decide (Toleration.ToleratesTaint,
 * TolerationsTolerateTaint): shared by the scheduler's plugins, the DaemonSet controller and taint eviction.
 * An empty effect matches every effect, an empty key matches every key, and the operator is Equal (the
 * default: values must be equal) or Exists (any value); any other operator tolerates nothing.
 */
public final class Tolerations {

    private Tolerations() {
    }

    public static boolean tolerates(Toleration t, String taintKey, String taintValue, String taintEffect) {
        String effect = t.getEffect();
        if (effect != null && !effect.isEmpty() && !effect.equals(taintEffect)) {
            return false;
        }
        String key = t.getKey();
        if (key != null && !key.isEmpty() && !key.equals(taintKey)) {
            return false;
        }
        String op = t.getOperator();
        if (op == null || op.isEmpty() || op.equals("Equal")) {
            return nullToEmpty(t.getValue()).equals(nullToEmpty(taintValue));
        }
        return op.equals("Exists");
    }

    public static boolean tolerates(Toleration t, Taint taint) {
        return tolerates(t, taint.getKey(), taint.getValue(), taint.getEffect());
    }

    /** True when any of {@code tolerations} (null: none) tolerates the taint. */
    public static boolean anyTolerates(List<Toleration> tolerations, Taint taint) {
        return anyTolerates(tolerations, taint.getKey(), taint.getValue(), taint.getEffect());
    }

    public static boolean anyTolerates(List<Toleration> tolerations, String key, String value, String effect) {
        if (tolerations == null) {
            return false;
        }
        for (Toleration t : tolerations) {
            if (tolerates(t, key, value, effect)) {
                return true;
            }
        }
        return false;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}

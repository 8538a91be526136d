package dev.navis.scheduler.plugins.helper;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;

/** Toleration matching as upstream's v1helper (ToleratesTaint, TolerationsTolerateTaint). */
public final class Taints {
    public static final String NO_SCHEDULE = "NoSchedule";
    public static final String PREFER_NO_SCHEDULE = "PreferNoSchedule";
    public static final String NO_EXECUTE = "NoExecute";
    public static final String TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

    private Taints() {
    }

    /** An empty effect matches every effect; an empty key with Exists matches every taint. */
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

    public static boolean anyTolerates(List<Toleration> tolerations, Taint taint) {
        if (tolerations == null) {
            return false;
        }
        for (Toleration t : tolerations) {
            if (tolerates(t, taint)) {
                return true;
            }
        }
        return false;
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

package dev.navis.controllers.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;

/**
 * maxSurge and maxUnavailable resolved to pod counts as upstream's ResolveFenceposts does: percentages of
 * the desired replicas, surge rounded up, unavailable rounded down, both default 25%, and never both 0
 * (unavailable becomes 1 so a rollout can progress).
 */
public record RolloutBounds(int maxSurge, int maxUnavailable) {

    private static final IntOrString DEFAULT = new IntOrString("25%");

    public static RolloutBounds of(Deployment d) {
        if (!DeploymentController.isRollingUpdate(d)) {
            return new RolloutBounds(0, 0);
        }
        RollingUpdateDeployment rolling = d.getSpec().getStrategy().getRollingUpdate();
        IntOrString surgeValue = rolling == null || rolling.getMaxSurge() == null ? DEFAULT : rolling.getMaxSurge();
        IntOrString unavailableValue = rolling == null || rolling.getMaxUnavailable() == null
                ? DEFAULT : rolling.getMaxUnavailable();
        int desired = DeploymentController.desiredReplicas(d);
        int surge = scaled(surgeValue, desired, true);
        int unavailable = scaled(unavailableValue, desired, false);
        if (surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new RolloutBounds(surge, unavailable);
    }

    /** Upstream's MaxUnavailable: 0 for Recreate or 0 replicas, and never more than the desired replicas. */
    public static int maxUnavailable(Deployment d) {
        int desired = DeploymentController.desiredReplicas(d);
        if (!DeploymentController.isRollingUpdate(d) || desired == 0) {
            return 0;
        }
        return Math.min(of(d).maxUnavailable(), desired);
    }

    public static int scaled(IntOrString value, int total, boolean roundUp) {
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String s = value.getStrVal();
        if (s == null || !s.endsWith("%")) {
            throw new IllegalArgumentException("invalid value for IntOrString: " + s);
        }
        int percent = Integer.parseInt(s.substring(0, s.length() - 1));
        long product = (long) percent * total;
        return (int) (roundUp ? (product + 99) / 100 : product / 100);
    }
}

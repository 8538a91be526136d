package dev.navis.scheduler.framework;

import java.time.Duration;

/**
 * Approves, rejects or delays the binding of a reserved pod. {@link Status.Code#WAIT} with a timeout makes
 * the binding wait until every waiting plugin allows it through {@link Handle#waitingPod}, or reject it
 * when the timeout passes.
 */
public interface PermitPlugin extends Plugin {

    PermitResult permit(CycleState state, PodInfo pod, String nodeName);

    record PermitResult(Status status, Duration timeout) {
        public static final PermitResult ALLOW = new PermitResult(Status.SUCCESS, Duration.ZERO);
    }
}

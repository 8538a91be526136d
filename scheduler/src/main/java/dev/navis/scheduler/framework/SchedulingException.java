package dev.navis.scheduler.framework;

/** An internal error of a plugin (not a verdict on the pod); the cycle fails with an Error status. */
public class SchedulingException extends RuntimeException {
    public SchedulingException(String message) {
        super(message);
    }

    public SchedulingException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.navis.scheduler.framework;

import java.util.List;

/**
 * A plugin's verdict, as upstream's framework.Status: a {@link Code}, the reasons (each one counts once per
 * node in the FailedScheduling histogram), the plugin that produced it and, for {@link Code#ERROR}, the
 * cause. Immutable: plugins keep their common statuses in constants and return them from the hot path.
 */
public final class Status {

    /** Upstream's status codes. */
    public enum Code {
        SUCCESS("Success"),
        /** An internal error; the pod is retried with backoff. */
        ERROR("Error"),
        /** The pod does not fit now; preemption may help. */
        UNSCHEDULABLE("Unschedulable"),
        /** The pod does not fit and evicting pods will not change that. */
        UNSCHEDULABLE_AND_UNRESOLVABLE("UnschedulableAndUnresolvable"),
        /** A Permit plugin wants the binding to wait. */
        WAIT("Wait"),
        /** PreFilter/PreScore: skip this plugin's Filter/Score for the cycle; Bind: let the next binder try. */
        SKIP("Skip"),
        /** Unschedulable because of something the pod waits for (not a node's fault); retried on events. */
        PENDING("Pending");

        private final String text;

        Code(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    public static final Status SUCCESS = new Status(Code.SUCCESS, List.of(), null, null);
    public static final Status SKIP = new Status(Code.SKIP, List.of(), null, null);

    private final Code code;
    private final List<String> reasons;
    private final String plugin;
    private final Throwable error;

    private Status(Code code, List<String> reasons, String plugin, Throwable error) {
        this.code = code;
        this.reasons = reasons;
        this.plugin = plugin;
        this.error = error;
    }

    public static Status of(Code code, String... reasons) {
        if (code == Code.SUCCESS && reasons.length == 0) {
            return SUCCESS;
        }
        return new Status(code, List.of(reasons), null, null);
    }

    public static Status of(Code code, List<String> reasons) {
        return new Status(code, List.copyOf(reasons), null, null);
    }

    public static Status unschedulable(String... reasons) {
        return of(Code.UNSCHEDULABLE, reasons);
    }

    public static Status unresolvable(String... reasons) {
        return of(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, reasons);
    }

    public static Status error(Throwable cause) {
        return new Status(Code.ERROR, List.of(String.valueOf(cause.getMessage())), null, cause);
    }

    public static Status error(String message) {
        return new Status(Code.ERROR, List.of(message), null, null);
    }

    /** The same verdict attributed to {@code pluginName} (the framework does this for plugins that did not). */
    public Status withPlugin(String pluginName) {
        return new Status(code, reasons, pluginName, error);
    }

    public Code code() {
        return code;
    }

    public List<String> reasons() {
        return reasons;
    }

    /** The plugin that produced this status, or null. */
    public String plugin() {
        return plugin;
    }

    public Throwable error() {
        return error;
    }

    /** Reasons joined with ", ", as upstream's Status.Message(). */
    public String message() {
        return reasons.isEmpty() ? "" : reasons.size() == 1 ? reasons.get(0) : String.join(", ", reasons);
    }

    public boolean isSuccess() {
        return code == Code.SUCCESS;
    }

    public boolean isSkip() {
        return code == Code.SKIP;
    }

    public boolean isWait() {
        return code == Code.WAIT;
    }

    /** Unschedulable, UnschedulableAndUnresolvable or Pending: the pod was turned down, not failed. */
    public boolean isRejected() {
        return code == Code.UNSCHEDULABLE || code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE || code == Code.PENDING;
    }

    @Override
    public String toString() {
        return code + (plugin == null ? "" : "(" + plugin + ")") + (reasons.isEmpty() ? "" : ": " + message());
    }
}

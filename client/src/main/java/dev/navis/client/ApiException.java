package dev.navis.client;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;

/**
 * A request the API server (or the fake) refused: carries the meta/v1 Status it answered with, so callers
 * branch on {@link #code()} and {@link #reason()} as client-go's apierrors.IsNotFound etc. do.
 */
public class ApiException extends RuntimeException {

    private final transient Status status;

    public ApiException(Status status) {
        super(describe(status));
        this.status = status;
    }

    public Status status() {
        return status;
    }

    public int code() {
        return status.getCode() == null ? 0 : status.getCode();
    }

    public String reason() {
        return status.getReason() == null ? "" : status.getReason();
    }

    public boolean isNotFound() {
        return code() == 404 || "NotFound".equals(reason());
    }

    public boolean isAlreadyExists() {
        return "AlreadyExists".equals(reason());
    }

    public boolean isConflict() {
        return "Conflict".equals(reason());
    }

    /** 410 Gone / reason Expired: the requested resourceVersion is compacted; relist. */
    public boolean isGone() {
        return code() == 410 || "Expired".equals(reason()) || "Gone".equals(reason());
    }

    public static boolean isNotFound(Throwable t) {
        return t instanceof ApiException e && e.isNotFound();
    }

    public static boolean isConflict(Throwable t) {
        return t instanceof ApiException e && e.isConflict();
    }

    public static boolean isAlreadyExists(Throwable t) {
        return t instanceof ApiException e && e.isAlreadyExists();
    }

    /** A Failure Status with upstream's shape: code, reason, message and details {name, group, kind}. */
    public static Status failure(int code, String reason, String message, ResourceRef<?> ref, String name) {
        StatusBuilder b = new StatusBuilder().withApiVersion("v1").withKind("Status").withStatus("Failure")
                .withCode(code).withReason(reason).withMessage(message);
        if (ref != null) {
            b.withNewDetails().withName(name).withGroup(ref.group()).withKind(ref.plural()).endDetails();
        }
        return b.build();
    }

    /** {@code pods "x" not found}, 404 NotFound. */
    public static ApiException notFound(ResourceRef<?> ref, String name) {
        return new ApiException(failure(404, "NotFound",
                ref.groupResource() + " \"" + name + "\" not found", ref, name));
    }

    /** {@code pods "x" already exists}, 409 AlreadyExists. */
    public static ApiException alreadyExists(ResourceRef<?> ref, String name) {
        return new ApiException(failure(409, "AlreadyExists",
                ref.groupResource() + " \"" + name + "\" already exists", ref, name));
    }

    /** The optimistic-concurrency failure of an update with a stale resourceVersion, 409 Conflict. */
    public static ApiException conflict(ResourceRef<?> ref, String name, String why) {
        return new ApiException(failure(409, "Conflict", "Operation cannot be fulfilled on "
                + ref.groupResource() + " \"" + name + "\": " + why, ref, name));
    }

    /** 410 Expired: a watch or list from a compacted resourceVersion. */
    public static ApiException expired(String message) {
        return new ApiException(failure(410, "Expired", message, null, null));
    }

    private static String describe(Status status) {
        return status.getCode() + " " + status.getReason() + ": " + status.getMessage();
    }
}

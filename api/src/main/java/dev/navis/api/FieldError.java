package dev.navis.api;

/**
 * One validation failure, as upstream's field.Error: it becomes a cause of a 422 Invalid Status.
 *
 * @param type     which kind of failure
 * @param field    the path, e.g. "spec.containers[0].image"
 * @param badValue the offending value (null for Required/Forbidden/TooMany)
 * @param detail   extra explanation, may be empty
 */
public record FieldError(Type type, String field, Object badValue, String detail) {

    /** Upstream's error types: the cause reason and the message text. */
    public enum Type {
        NOT_FOUND("FieldValueNotFound", "Not found"),
        REQUIRED("FieldValueRequired", "Required value"),
        DUPLICATE("FieldValueDuplicate", "Duplicate value"),
        INVALID("FieldValueInvalid", "Invalid value"),
        NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
        FORBIDDEN("FieldValueForbidden", "Forbidden"),
        TOO_LONG("FieldValueTooLong", "Too long"),
        TOO_MANY("FieldValueTooMany", "Too many"),
        INTERNAL("InternalError", "Internal error"),
        TYPE_INVALID("FieldValueTypeInvalid", "Invalid value");

        public final String reason;
        public final String label;

        Type(String reason, String label) {
            this.reason = reason;
            this.label = label;
        }
    }

    public static FieldError required(String field, String detail) {
        return new FieldError(Type.REQUIRED, field, null, detail);
    }

    public static FieldError invalid(String field, Object value, String detail) {
        return new FieldError(Type.INVALID, field, value, detail);
    }

    public static FieldError notSupported(String field, Object value, java.util.Collection<String> valid) {
        StringBuilder sb = new StringBuilder("supported values: ");
        int i = 0;
        for (String v : valid) {
            sb.append(i++ == 0 ? "" : ", ").append('"').append(v).append('"');
        }
        return new FieldError(Type.NOT_SUPPORTED, field, value, sb.toString());
    }

    public static FieldError forbidden(String field, String detail) {
        return new FieldError(Type.FORBIDDEN, field, null, detail);
    }

    public static FieldError duplicate(String field, Object value) {
        return new FieldError(Type.DUPLICATE, field, value, "");
    }

    /** The cause's message, e.g. {@code Invalid value: "x": must be no more than 63 characters}. */
    public String causeMessage() {
        StringBuilder sb = new StringBuilder(type.label);
        boolean showsValue = switch (type) {
            case INVALID, NOT_SUPPORTED, DUPLICATE, TYPE_INVALID, NOT_FOUND -> true;
            default -> false;
        };
        if (showsValue) {
            sb.append(": ").append(renderValue(badValue));
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append(": ").append(detail);
        }
        return sb.toString();
    }

    /** The error as upstream prints it in a Status message: {@code field: causeMessage}. */
    @Override
    public String toString() {
        return field + ": " + causeMessage();
    }

    private static String renderValue(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return '"' + s + '"';
        }
        return String.valueOf(v);
    }
}

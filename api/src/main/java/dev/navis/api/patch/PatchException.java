package dev.navis.api.patch;

/**
 * A patch that cannot be decoded (code 400, BadRequest) or applied (code 422, Invalid), with an upstream-like
 * message. The API server turns it into a Status with this code.
 */
public class PatchException extends RuntimeException {

    private final int code;

    public PatchException(int code, String message) {
        super(message);
        this.code = code;
    }

    public static PatchException badRequest(String message) {
        return new PatchException(400, message);
    }

    public static PatchException unprocessable(String message) {
        return new PatchException(422, message);
    }

    /** 400 or 422. */
    public int code() {
        return code;
    }
}

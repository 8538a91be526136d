package dev.navis.kubelet.image;

/**
 * Image references as Docker and containerd normalise them: {@code busybox} is
 * {@code docker.io/library/busybox:latest}; a first path element with a dot, a colon or equal to
 * {@code localhost} names the registry host.
 */
public final class ImageReference {

    public static final String DEFAULT_HOST = "docker.io";

    private ImageReference() {
    }

    /** The fully qualified reference: host, path, and a tag ({@code latest} when neither tag nor digest). */
    public static String normalize(String ref) {
        String r = ref.trim();
        String host = host(r);
        String rest = hasHost(r) ? r.substring(r.indexOf('/') + 1) : r;
        if (host.equals(DEFAULT_HOST) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (!rest.contains("@") && !lastPart(rest).contains(":")) {
            rest = rest + ":latest";
        }
        return host + "/" + rest;
    }

    /** The registry host, {@code docker.io} when the reference names none. */
    public static String host(String ref) {
        return hasHost(ref) ? ref.substring(0, ref.indexOf('/')) : DEFAULT_HOST;
    }

    /** The repository path inside the registry, e.g. {@code library/busybox}. */
    public static String repository(String ref) {
        String n = normalize(ref);
        String rest = n.substring(n.indexOf('/') + 1);
        int at = rest.indexOf('@');
        if (at >= 0) {
            return rest.substring(0, at);
        }
        int colon = rest.lastIndexOf(':');
        return colon > rest.lastIndexOf('/') ? rest.substring(0, colon) : rest;
    }

    /** The tag ({@code latest} when none), or the digest of a digest reference. */
    public static String tag(String ref) {
        String n = normalize(ref);
        int at = n.indexOf('@');
        if (at >= 0) {
            return n.substring(at + 1);
        }
        String last = lastPart(n);
        return last.substring(last.indexOf(':') + 1);
    }

    /** True when the reference has no tag or the tag {@code latest} (pull policy defaults to Always). */
    public static boolean isLatest(String ref) {
        if (ref.contains("@")) {
            return false;
        }
        String last = lastPart(ref);
        int colon = last.indexOf(':');
        return colon < 0 || last.substring(colon + 1).equals("latest");
    }

    private static boolean hasHost(String ref) {
        int slash = ref.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String first = ref.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost");
    }

    private static String lastPart(String ref) {
        return ref.substring(ref.lastIndexOf('/') + 1);
    }
}

package dev.navis.apimachinery.validation;

/**
 * A field path as upstream's field.Path renders it: {@code spec.containers[0].image}, {@code data[key]}. Rendered
 * only when asked (an error names it): validation walks every field of every object it checks, and nearly all of
 * those paths are never shown.
 */
public final class Path {
    private static final int START = 0;
    private static final int FIELD = 1;
    private static final int INDEX = 2;
    private static final int KEY = 3;

    /** Null for a start. */
    private final Path parent;
    private final int kind;
    /** The start's text, the field name or the key; null for an index. */
    private final String text;
    private final int index;
    /** The rendering, once made (a benign race: every thread makes the same string). */
    private String rendered;

    private Path(Path parent, int kind, String text, int index) {
        this.parent = parent;
        this.kind = kind;
        this.text = text;
        this.index = index;
    }

    public static Path of(String first, String... more) {
        Path p = new Path(null, START, first, 0);
        for (String m : more) {
            p = p.child(m);
        }
        return p;
    }

    /** The empty root (errors on the whole object render with an empty field). */
    public static Path root() {
        return new Path(null, START, "", 0);
    }

    public Path child(String name, String... more) {
        Path p = new Path(this, FIELD, name, 0);
        for (String m : more) {
            p = p.child(m);
        }
        return p;
    }

    public Path index(int i) {
        return new Path(this, INDEX, null, i);
    }

    public Path key(String k) {
        return new Path(this, KEY, k, 0);
    }

    private void render(StringBuilder sb) {
        String done = rendered;
        if (done != null) {
            sb.append(done);
            return;
        }
        int before = sb.length();
        if (parent != null) {
            parent.render(sb);
        }
        switch (kind) {
            case FIELD -> {
                if (sb.length() > before) {
                    sb.append('.');
                }
                sb.append(text);
            }
            case INDEX -> sb.append('[').append(index).append(']');
            case KEY -> sb.append('[').append(text).append(']');
            default -> sb.append(text);
        }
    }

    @Override
    public String toString() {
        String done = rendered;
        if (done == null) {
            StringBuilder sb = new StringBuilder(64);
            render(sb);
            done = sb.toString();
            rendered = done;
        }
        return done;
    }
}

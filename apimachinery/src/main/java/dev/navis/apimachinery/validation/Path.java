package dev.navis.apimachinery.validation;

/** A field path as upstream's field.Path renders it: {@code spec.containers[0].image}, {@code data[key]}. */
public final class Path {

    private final String rendered;

    private Path(String rendered) {
        this.rendered = rendered;
    }

    public static Path of(String first, String... more) {
        Path p = new Path(first);
        for (String m : more) {
            p = p.child(m);
        }
        return p;
    }

    /** The empty root (errors on the whole object render with an empty field). */
    public static Path root() {
        return new Path("");
    }

    public Path child(String name, String... more) {
        Path p = new Path(rendered.isEmpty() ? name : rendered + "." + name);
        for (String m : more) {
            p = p.child(m);
        }
        return p;
    }

    public Path index(int i) {
        return new Path(rendered + "[" + i + "]");
    }

    public Path key(String k) {
        return new Path(rendered + "[" + k + "]");
    }

    @Override
    public String toString() {
        return rendered;
    }
}

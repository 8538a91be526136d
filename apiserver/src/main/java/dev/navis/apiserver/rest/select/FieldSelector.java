package dev.navis.apiserver.rest.select;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A parsed field selector (=, ==, != terms joined by commas), matched through a field reader.
 * Minimal private version until dev.navis.apimachinery.selector is merged.
 */
public final class FieldSelector {
    private record Term(String field, boolean equal, String value) {
    }

    public static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    public boolean isEmpty() {
        return terms.isEmpty();
    }

    /** The field names used, to check them against the selectable fields. */
    public List<String> fields() {
        return terms.stream().map(Term::field).toList();
    }

    /** True when every term holds; {@code reader} returns a field's value ("" when unset). */
    public boolean matches(Function<String, String> reader) {
        for (Term t : terms) {
            String v = reader.apply(t.field());
            if (v == null) {
                v = "";
            }
            if (v.equals(t.value()) != t.equal()) {
                return false;
            }
        }
        return true;
    }

    /** The value the selector requires for {@code field} with "=", or null. */
    public String requiredValue(String field) {
        for (Term t : terms) {
            if (t.equal() && t.field().equals(field)) {
                return t.value();
            }
        }
        return null;
    }

    public static FieldSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String raw : text.split(",")) {
            String t = raw.strip();
            int idx;
            if ((idx = t.indexOf("!=")) > 0) {
                terms.add(new Term(t.substring(0, idx).strip(), false, t.substring(idx + 2).strip()));
            } else if ((idx = t.indexOf("==")) > 0) {
                terms.add(new Term(t.substring(0, idx).strip(), true, t.substring(idx + 2).strip()));
            } else if ((idx = t.indexOf('=')) > 0) {
                terms.add(new Term(t.substring(0, idx).strip(), true, t.substring(idx + 1).strip()));
            } else {
                throw new IllegalArgumentException("invalid selector: '" + text + "'; can't understand '" + t + "'");
            }
        }
        return new FieldSelector(terms);
    }

    /** Checks that each field is one the resource supports, with upstream's wording otherwise. */
    public void requireSupported(Set<String> supported, String kindName) {
        for (Term t : terms) {
            if (!supported.contains(t.field())) {
                throw new IllegalArgumentException("field label not supported: " + t.field());
            }
        }
    }
}

package dev.navis.proxy.nftables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.HashMap;

/**
 * The complete desired content of the proxy's nftables table: sets and maps with their elements, chains with
 * their rules. Immutable once built; the proxier keeps the last one it applied and turns the next one into an
 * {@code nft -f} transaction with {@link #transactionFrom(NftRuleset)}, which touches only what changed.
 *
 * <p>Why a diff rather than a fresh table each time: a full replace is one simple transaction, but it would
 * empty the session-affinity sets (their elements are the kernel's state, not ours) and cost time
 * proportional to the whole table for a one-endpoint change. A full replace is still used for the first sync
 * and after a failure ({@link #fullTransaction()}).
 */
public final class NftRuleset {
    private final String family;
    private final String table;
    private final String tableComment;
    /** set/map name → its declaration, e.g. "set cluster-ips { type ipv4_addr ; }". */
    private final Map<String, String> sets;
    /** set/map name → element key → element value ("" for a set). */
    private final Map<String, Map<String, String>> elements;
    /** chain name → its declaration suffix: "" for a regular chain, " { type nat hook ... ; }" for a base one. */
    private final Map<String, String> chains;
    private final Map<String, List<String>> rules;

    private NftRuleset(Builder b) {
        this.family = b.family;
        this.table = b.table;
        this.tableComment = b.tableComment;
        this.sets = b.sets;
        this.elements = b.elements;
        this.chains = b.chains;
        this.rules = b.rules;
    }

    public static Builder builder(String family, String table, String comment) {
        return new Builder(family, table, comment, false);
    }

    /**
     * A builder for one part of a ruleset, later {@link Builder#merge merged} into a full one: it may add
     * elements to sets it does not declare (the full builder must declare them).
     */
    public static Builder fragment() {
        return new Builder(null, null, null, true);
    }

    public String family() {
        return family;
    }

    public String table() {
        return table;
    }

    /** The chains by name with their rules, in the order they were declared. */
    public Map<String, List<String>> rules() {
        return rules;
    }

    /** Every element of a set or map ("key" or "key : value"), sorted. */
    public List<String> elements(String set) {
        List<String> out = new ArrayList<>();
        elements.getOrDefault(set, Map.of()).forEach((k, v) -> out.add(v.isEmpty() ? k : k + " : " + v));
        out.sort(null);
        return out;
    }

    public int chainCount() {
        return chains.size();
    }

    /**
     * A transaction that replaces the table wholesale: {@code add table} then {@code delete table} (so the
     * delete never fails on a missing table), then the table as one block (declarations, chains with their
     * rules) and the elements in batches. nft applies it atomically. The block and the batches are what make
     * it cheap: nft parses and checks one statement per chain and per thousand elements rather than one per
     * rule and per element, which with 10,000 Services is a good part of the sync.
     */
    public String fullTransaction() {
        StringBuilder out = new StringBuilder(1 << 16);
        String t = family + " " + table;
        out.append("add table ").append(t).append('\n');
        out.append("delete table ").append(t).append('\n');
        out.append("table ").append(t).append(" {\n");
        out.append("\tcomment \"").append(tableComment).append("\"\n");
        sets.forEach((name, decl) -> out.append('\t').append(decl).append('\n'));
        chains.forEach((name, decl) -> {
            out.append("\tchain ").append(name).append(" {\n");
            if (!decl.isEmpty()) {
                String inner = decl.strip();
                out.append("\t\t").append(inner.substring(1, inner.length() - 1).strip()).append('\n');
            }
            for (String rule : rules.getOrDefault(name, List.of())) {
                out.append("\t\t").append(rule).append('\n');
            }
            out.append("\t}\n");
        });
        out.append("}\n");
        elements.forEach((set, els) -> {
            int n = 0;
            for (Map.Entry<String, String> e : els.entrySet()) {
                if (n % ELEMENT_BATCH == 0) {
                    if (n > 0) {
                        out.append(" }\n");
                    }
                    out.append("add element ").append(t).append(' ').append(set).append(" { ");
                } else {
                    out.append(", ");
                }
                out.append(e.getKey());
                if (!e.getValue().isEmpty()) {
                    out.append(" : ").append(e.getValue());
                }
                n++;
            }
            if (n > 0) {
                out.append(" }\n");
            }
        });
        return out.toString();
    }

    /** Elements per {@code add element} statement of a full transaction: few statements, readable errors. */
    private static final int ELEMENT_BATCH = 1000;

    /**
     * The transaction that turns {@code previous} (what the kernel holds) into this ruleset, or "" when they
     * are equal. Order matters inside the transaction: new chains exist before rules and map elements point
     * at them; elements and rules that point at a chain are gone before the chain is deleted.
     */
    public String transactionFrom(NftRuleset previous) {
        if (!previous.family.equals(family) || !previous.table.equals(table)) {
            return fullTransaction();
        }
        String t = family + " " + table;
        StringBuilder out = new StringBuilder();
        // 1. new sets and chains (declaring an existing one is a no-op, a changed base chain is not: replace all)
        for (Map.Entry<String, String> s : sets.entrySet()) {
            String old = previous.sets.get(s.getKey());
            if (old == null) {
                out.append("add ").append(declWithName(s.getValue(), t)).append('\n');
            } else if (!old.equals(s.getValue())) {
                return fullTransaction();
            }
        }
        for (Map.Entry<String, String> c : chains.entrySet()) {
            String old = previous.chains.get(c.getKey());
            if (old == null) {
                out.append("add chain ").append(t).append(' ').append(c.getKey()).append(c.getValue()).append('\n');
            } else if (!old.equals(c.getValue())) {
                return fullTransaction();
            }
        }
        // 2. elements that went away or changed value
        for (Map.Entry<String, Map<String, String>> e : previous.elements.entrySet()) {
            if (!sets.containsKey(e.getKey())) {
                continue; // the whole set goes below
            }
            Map<String, String> now = elements.getOrDefault(e.getKey(), Map.of());
            e.getValue().forEach((k, v) -> {
                if (!v.equals(now.get(k))) {
                    out.append("delete element ").append(t).append(' ').append(e.getKey()).append(" { ").append(k)
                            .append(" }\n");
                }
            });
        }
        // 3. chains whose rules changed: flush and refill
        for (Map.Entry<String, List<String>> r : rules.entrySet()) {
            List<String> old = previous.rules.get(r.getKey());
            if (Objects.equals(old, r.getValue())) {
                continue;
            }
            if (old != null && !old.isEmpty()) {
                out.append("flush chain ").append(t).append(' ').append(r.getKey()).append('\n');
            }
            for (String rule : r.getValue()) {
                out.append("add rule ").append(t).append(' ').append(r.getKey()).append(' ').append(rule).append('\n');
            }
        }
        // 4. new elements
        elements.forEach((set, els) -> {
            Map<String, String> before = previous.elements.getOrDefault(set, Map.of());
            els.forEach((k, v) -> {
                if (!v.equals(before.get(k))) {
                    appendElement(out, "add", t, set, k, v);
                }
            });
        });
        // 5. chains that went away (their referrers were flushed or deleted above), then sets
        // (all flushed before any is deleted: stale chains jump to each other)
        List<String> stale = previous.chains.keySet().stream().filter(c -> !chains.containsKey(c)).toList();
        stale.forEach(chain -> out.append("flush chain ").append(t).append(' ').append(chain).append('\n'));
        stale.forEach(chain -> out.append("delete chain ").append(t).append(' ').append(chain).append('\n'));
        for (String set : previous.sets.keySet()) {
            if (!sets.containsKey(set)) {
                out.append("delete ").append(previous.sets.get(set).startsWith("map") ? "map " : "set ").append(t)
                        .append(' ').append(set).append('\n');
            }
        }
        return out.toString();
    }

    private static void appendElement(StringBuilder out, String verb, String t, String set, String key, String value) {
        out.append(verb).append(" element ").append(t).append(' ').append(set).append(" { ").append(key);
        if (!value.isEmpty()) {
            out.append(" : ").append(value);
        }
        out.append(" }\n");
    }

    /** "set x { ... }" → "set ip t x { ... }". */
    private static String declWithName(String decl, String t) {
        int space = decl.indexOf(' ');
        return decl.substring(0, space) + " " + t + decl.substring(space);
    }

    /** Collects a ruleset; chains and sets keep the order they are first declared in. */
    public static final class Builder {
        private final String family;
        private final String table;
        private final String tableComment;
        private final Map<String, String> sets = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> elements = new LinkedHashMap<>();
        private final Map<String, String> chains = new LinkedHashMap<>();
        private final Map<String, List<String>> rules = new LinkedHashMap<>();

        private final boolean fragment;

        private Builder(String family, String table, String comment, boolean fragment) {
            this.fragment = fragment;
            this.family = family;
            this.table = table;
            this.tableComment = comment;
        }

        /** Declares a set: {@code set("cluster-ips", "type ipv4_addr ; comment \"...\"")}. */
        public Builder set(String name, String body) {
            sets.put(name, "set " + name + " { " + body + " ; }");
            elements.putIfAbsent(name, new HashMap<>());
            return this;
        }

        public Builder map(String name, String body) {
            sets.put(name, "map " + name + " { " + body + " ; }");
            elements.putIfAbsent(name, new HashMap<>());
            return this;
        }

        public Builder element(String set, String key) {
            return element(set, key, "");
        }

        public Builder element(String set, String key, String value) {
            if (fragment) {
                elements.computeIfAbsent(set, k -> new HashMap<>()).put(key, value);
                return this;
            }
            if (!sets.containsKey(set)) {
                throw new IllegalArgumentException("no set " + set);
            }
            elements.get(set).put(key, value);
            return this;
        }

        public Builder chain(String name) {
            chains.putIfAbsent(name, "");
            rules.putIfAbsent(name, new ArrayList<>());
            return this;
        }

        /** A base chain: {@code baseChain("nat-output", "nat", "output", -100)}. */
        public Builder baseChain(String name, String type, String hook, int priority) {
            chains.put(name, " { type " + type + " hook " + hook + " priority " + priority + " ; }");
            rules.putIfAbsent(name, new ArrayList<>());
            return this;
        }

        public Builder rule(String chain, String rule) {
            List<String> list = rules.get(chain);
            if (list == null) {
                throw new IllegalArgumentException("no chain " + chain);
            }
            list.add(rule);
            return this;
        }

        /**
         * Adds everything {@code fragment} declares that this builder lacks: sets, chains, their rules (the
         * fragment's list instances, which must not change afterwards) and elements.
         */
        public Builder merge(Builder fragment) {
            fragment.sets.forEach(sets::putIfAbsent);
            fragment.chains.forEach(chains::putIfAbsent);
            fragment.rules.forEach((chain, list) -> {
                if (!list.isEmpty()) {
                    rules.put(chain, list);
                } else {
                    rules.putIfAbsent(chain, new ArrayList<>());
                }
            });
            fragment.elements.forEach((set, els) -> {
                if (!els.isEmpty()) {
                    if (!sets.containsKey(set)) {
                        throw new IllegalArgumentException("no set " + set);
                    }
                    elements.computeIfAbsent(set, k -> new HashMap<>()).putAll(els);
                }
            });
            return this;
        }

        public boolean hasChain(String name) {
            return chains.containsKey(name);
        }

        public boolean hasSet(String name) {
            return sets.containsKey(name);
        }

        public NftRuleset build() {
            return new NftRuleset(this);
        }
    }
}

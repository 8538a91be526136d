package dev.navis.api.selector;

import dev.navis.api.selector.Requirement.Operator;
import dev.navis.api.validation.NameValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Upstream's label selector lexer and parser (k8s.io/apimachinery/pkg/labels), with its error messages. */
final class LabelSelectorParser {

    private enum Tok { ERROR, EOS, CLOSED_PAR, COMMA, DOES_NOT_EXIST, DOUBLE_EQUALS, EQUALS, GREATER_THAN,
        IDENTIFIER, IN, LESS_THAN, NOT_EQUALS, NOT_IN, OPEN_PAR }

    private record Item(Tok tok, String literal) {
    }

    private static final String BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

    private final List<Item> items = new ArrayList<>();
    private int position;

    LabelSelectorParser(String input) {
        scan(input);
    }

    private void scan(String s) {
        int i = 0;
        while (true) {
            while (i < s.length() && isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= s.length()) {
                items.add(new Item(Tok.EOS, ""));
                return;
            }
            char c = s.charAt(i);
            if (isSpecial(c)) {
                int j = i;
                while (j < s.length() && isSpecial(s.charAt(j))) {
                    j++;
                }
                // the longest special-symbol prefix that is a token
                String best = null;
                Tok bestTok = null;
                for (int end = i + 1; end <= j; end++) {
                    Tok t = symbol(s.substring(i, end));
                    if (t != null) {
                        best = s.substring(i, end);
                        bestTok = t;
                    }
                }
                if (bestTok == null) {
                    String lit = s.substring(i, j);
                    items.add(new Item(Tok.ERROR, "error expected: keyword found '" + lit + "'"));
                    i = j;
                    continue;
                }
                items.add(new Item(bestTok, best));
                i += best.length();
            } else {
                int j = i;
                while (j < s.length() && !isWhitespace(s.charAt(j)) && !isSpecial(s.charAt(j))) {
                    j++;
                }
                String word = s.substring(i, j);
                Tok t = switch (word) {
                    case "in" -> Tok.IN;
                    case "notin" -> Tok.NOT_IN;
                    default -> Tok.IDENTIFIER;
                };
                items.add(new Item(t, word));
                i = j;
            }
        }
    }

    private static Tok symbol(String s) {
        return switch (s) {
            case ")" -> Tok.CLOSED_PAR;
            case "," -> Tok.COMMA;
            case "!" -> Tok.DOES_NOT_EXIST;
            case "==" -> Tok.DOUBLE_EQUALS;
            case "=" -> Tok.EQUALS;
            case ">" -> Tok.GREATER_THAN;
            case "<" -> Tok.LESS_THAN;
            case "!=" -> Tok.NOT_EQUALS;
            case "(" -> Tok.OPEN_PAR;
            default -> null;
        };
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isSpecial(char c) {
        return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
    }

    /** Consume in the "values" context, where the keywords in/notin are plain identifiers. */
    private Item consumeValue() {
        Item it = items.get(position++);
        return asValue(it);
    }

    private Item consumeOperator() {
        return items.get(position++);
    }

    private Item lookaheadValue() {
        return asValue(items.get(position));
    }

    private static Item asValue(Item it) {
        return it.tok == Tok.IN || it.tok == Tok.NOT_IN ? new Item(Tok.IDENTIFIER, it.literal) : it;
    }

    List<Requirement> parse() {
        List<Requirement> reqs = new ArrayList<>();
        while (true) {
            Item la = lookaheadValue();
            switch (la.tok) {
                case IDENTIFIER, DOES_NOT_EXIST -> {
                    Requirement r;
                    try {
                        r = parseRequirement();
                    } catch (SelectorException e) {
                        throw new SelectorException("unable to parse requirement: " + e.getMessage());
                    }
                    reqs.add(r);
                    Item t = consumeValue();
                    if (t.tok == Tok.EOS) {
                        return reqs;
                    } else if (t.tok == Tok.COMMA) {
                        Item t2 = lookaheadValue();
                        if (t2.tok != Tok.IDENTIFIER && t2.tok != Tok.DOES_NOT_EXIST) {
                            throw new SelectorException("found '" + t2.literal + "', expected: identifier after ','");
                        }
                    } else {
                        throw new SelectorException("found '" + t.literal + "', expected: ',' or 'end of string'");
                    }
                }
                case EOS -> {
                    return reqs;
                }
                default -> throw new SelectorException("found '" + la.literal
                        + "', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private Requirement parseRequirement() {
        Operator operator = null;
        Item t = consumeValue();
        if (t.tok == Tok.DOES_NOT_EXIST) {
            operator = Operator.DOES_NOT_EXIST;
            t = consumeValue();
        }
        if (t.tok != Tok.IDENTIFIER) {
            throw new SelectorException("found '" + t.literal + "', expected: identifier");
        }
        String key = t.literal;
        String keyErr = LabelSelector.validateKey(key);
        if (keyErr != null) {
            throw new SelectorException(keyErr);
        }
        Tok next = lookaheadValue().tok;
        if (next == Tok.EOS || next == Tok.COMMA) {
            if (operator != Operator.DOES_NOT_EXIST) {
                operator = Operator.EXISTS;
            }
        }
        if (operator == Operator.EXISTS || operator == Operator.DOES_NOT_EXIST) {
            return requirement(key, operator, List.of());
        }
        Item op = consumeOperator();
        operator = switch (op.tok) {
            case IN -> Operator.IN;
            case EQUALS -> Operator.EQUALS;
            case DOUBLE_EQUALS -> Operator.DOUBLE_EQUALS;
            case GREATER_THAN -> Operator.GREATER_THAN;
            case LESS_THAN -> Operator.LESS_THAN;
            case NOT_IN -> Operator.NOT_IN;
            case NOT_EQUALS -> Operator.NOT_EQUALS;
            default -> throw new SelectorException("found '" + op.literal + "', expected: " + BINARY_OPERATORS);
        };
        List<String> values = operator == Operator.IN || operator == Operator.NOT_IN ? parseValues() : parseExactValue();
        return requirement(key, operator, values);
    }

    private List<String> parseValues() {
        Item t = consumeValue();
        if (t.tok != Tok.OPEN_PAR) {
            throw new SelectorException("found '" + t.literal + "' expected: '('");
        }
        Item la = lookaheadValue();
        switch (la.tok) {
            case IDENTIFIER, COMMA -> {
                TreeSet<String> s = parseIdentifiersList();
                if (consumeValue().tok != Tok.CLOSED_PAR) {
                    throw new SelectorException("found '" + la.literal + "', expected: ')'");
                }
                return List.copyOf(s);
            }
            case CLOSED_PAR -> {
                consumeValue();
                return List.of("");
            }
            default -> throw new SelectorException("found '" + la.literal + "', expected: ',', ')' or identifier");
        }
    }

    private TreeSet<String> parseIdentifiersList() {
        TreeSet<String> s = new TreeSet<>();
        while (true) {
            Item t = consumeValue();
            switch (t.tok) {
                case IDENTIFIER -> {
                    s.add(t.literal);
                    Item t2 = lookaheadValue();
                    if (t2.tok == Tok.CLOSED_PAR) {
                        return s;
                    } else if (t2.tok != Tok.COMMA) {
                        throw new SelectorException("found '" + t2.literal + "', expected: ',' or ')'");
                    }
                }
                case COMMA -> {
                    if (s.isEmpty()) {
                        s.add("");
                    }
                    Item t2 = lookaheadValue();
                    if (t2.tok == Tok.CLOSED_PAR) {
                        s.add("");
                        return s;
                    }
                    if (t2.tok == Tok.COMMA) {
                        consumeValue();
                        s.add("");
                    }
                }
                default -> throw new SelectorException("found '" + t.literal + "', expected: ',', or identifier");
            }
        }
    }

    private List<String> parseExactValue() {
        Tok la = lookaheadValue().tok;
        if (la == Tok.EOS || la == Tok.COMMA) {
            return List.of("");
        }
        Item t = consumeValue();
        if (t.tok == Tok.IDENTIFIER) {
            return List.of(t.literal);
        }
        throw new SelectorException("found '" + t.literal + "', expected: identifier");
    }

    /** NewRequirement: checks the key, the number of values for the operator and each value. */
    static Requirement requirement(String key, Operator op, List<String> values) {
        List<String> errs = new ArrayList<>();
        String keyErr = LabelSelector.validateKey(key);
        if (keyErr != null) {
            errs.add(keyErr);
        }
        String rendered = "[]string{" + String.join(", ", values.stream().map(v -> "\"" + v + "\"").toList()) + "}";
        switch (op) {
            case IN, NOT_IN -> {
                if (values.isEmpty()) {
                    errs.add("values: Invalid value: " + rendered + ": for 'in', 'notin' operators, values set can't be empty");
                }
            }
            case EQUALS, DOUBLE_EQUALS, NOT_EQUALS -> {
                if (values.size() != 1) {
                    errs.add("values: Invalid value: " + rendered + ": exact-match compatibility requires one single value");
                }
            }
            case EXISTS, DOES_NOT_EXIST -> {
                if (!values.isEmpty()) {
                    errs.add("values: Invalid value: " + rendered + ": values set must be empty for exists and does not exist");
                }
            }
            case GREATER_THAN, LESS_THAN -> {
                if (values.size() != 1) {
                    errs.add("values: Invalid value: " + rendered + ": for 'Gt', 'Lt' operators, exactly one value is required");
                }
                for (int i = 0; i < values.size(); i++) {
                    try {
                        Long.parseLong(values.get(i));
                    } catch (NumberFormatException e) {
                        errs.add("values[" + i + "]: Invalid value: \"" + values.get(i)
                                + "\": for 'Gt', 'Lt' operators, the value must be an integer");
                    }
                }
            }
        }
        for (int i = 0; i < values.size(); i++) {
            List<String> v = NameValidation.labelValue(values.get(i));
            if (!v.isEmpty()) {
                errs.add("values[" + i + "][" + key + "]: Invalid value: \"" + values.get(i) + "\": " + String.join("; ", v));
            }
        }
        if (errs.size() == 1) {
            throw new SelectorException(errs.get(0));
        } else if (errs.size() > 1) {
            throw new SelectorException("[" + String.join(", ", errs) + "]");
        }
        return new Requirement(key, op, LabelSelector.sortedUnique(values));
    }
}

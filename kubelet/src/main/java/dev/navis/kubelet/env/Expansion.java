package dev.navis.kubelet.env;

import java.util.function.Function;

/**
 * Upstream's third_party/forked/golang/expansion: {@code $(VAR)} becomes VAR's value when VAR is defined,
 * {@code $$} escapes a dollar, and anything else (an undefined variable, an unclosed reference) stays as
 * written.
 */
public final class Expansion {
    private Expansion() {
    }

    /** @param lookup the value of a variable, or null when it is not defined */
    public static String expand(String input, Function<String, String> lookup) {
        if (input == null || input.indexOf('$') < 0) {
            return input;
        }
        StringBuilder out = new StringBuilder(input.length());
        int i = 0;
        while (i < input.length()) {
            char c = input.charAt(i);
            if (c != '$' || i + 1 >= input.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = input.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '(') {
                int close = input.indexOf(')', i + 2);
                if (close < 0) {
                    out.append(input, i, input.length());
                    break;
                }
                String name = input.substring(i + 2, close);
                String value = lookup.apply(name);
                out.append(value != null ? value : input.substring(i, close + 1));
                i = close + 1;
            } else {
                out.append(c).append(next);
                i += 2;
            }
        }
        return out.toString();
    }
}

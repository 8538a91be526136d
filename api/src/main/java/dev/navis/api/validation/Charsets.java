package dev.navis.api.validation;

/**
 * The character-class shapes behind {@link NameValidation}'s regular expressions, as scanners: every object
 * written is checked against several of them, and a regex match allocates and backtracks where a loop over
 * the characters does not. Each method accepts exactly what the regex of the same name in
 * {@link NameValidation} accepts (NameValidationTest checks both on the same inputs).
 */
final class Charsets {

    private Charsets() {
    }

    private static boolean lowerAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?} over {@code s[from, to)}. */
    static boolean isDns1123Label(String s, int from, int to) {
        if (to <= from || !lowerAlnum(s.charAt(from)) || !lowerAlnum(s.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = s.charAt(i);
            if (c != '-' && !lowerAlnum(c)) {
                return false;
            }
        }
        return true;
    }

    /** Labels of {@link #isDns1123Label} joined by single dots. */
    static boolean isDns1123Subdomain(String s) {
        int start = 0;
        while (true) {
            int dot = s.indexOf('.', start);
            int end = dot < 0 ? s.length() : dot;
            if (!isDns1123Label(s, start, end)) {
                return false;
            }
            if (dot < 0) {
                return true;
            }
            start = dot + 1;
        }
    }

    /** {@code [a-z]([-a-z0-9]*[a-z0-9])?}. */
    static boolean isDns1035Label(String s) {
        return !s.isEmpty() && s.charAt(0) >= 'a' && s.charAt(0) <= 'z' && isDns1123Label(s, 0, s.length());
    }

    /** {@code ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]} over {@code s[from, to)}. */
    static boolean isQualifiedNamePart(String s, int from, int to) {
        if (to <= from || !alnum(s.charAt(from)) || !alnum(s.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = s.charAt(i);
            if (c != '-' && c != '_' && c != '.' && !alnum(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code [-._a-zA-Z0-9]+}. */
    static boolean isConfigKey(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '-' && c != '_' && c != '.' && !alnum(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code [-._a-zA-Z][-._a-zA-Z0-9]*}. */
    static boolean isEnvVarName(String s) {
        return isConfigKey(s) && !(s.charAt(0) >= '0' && s.charAt(0) <= '9');
    }

    /** {@code [0-9]+%}. */
    static boolean isPercent(String s) {
        int n = s.length();
        if (n < 2 || s.charAt(n - 1) != '%') {
            return false;
        }
        for (int i = 0; i < n - 1; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** {@code [-a-z0-9]+}. */
    static boolean isPortNameChars(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '-' && !lowerAlnum(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@code .*[a-z].*}: a lower-case letter and no line terminator (which the regex's '.' does not match). */
    static boolean hasLowerLetter(String s) {
        boolean letter = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                return false;
            }
            letter |= c >= 'a' && c <= 'z';
        }
        return letter;
    }
}

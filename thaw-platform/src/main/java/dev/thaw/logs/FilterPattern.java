package dev.thaw.logs;

import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;

import java.util.ArrayList;
import java.util.List;

/**
 * CloudWatch Logs' filter patterns for unstructured lines: every term must occur ({@code ERROR timeout}), quoted
 * terms keep spaces and punctuation ({@code "Task timed out"}), {@code ?term}s match when any of them occurs, and
 * {@code -term} excludes lines that have it. Matching is case-sensitive, as in CloudWatch. JSON ({@code { ... }})
 * and space-delimited ({@code [ ... ]}) patterns are refused.
 */
public final class FilterPattern {
    private final List<String> required = new ArrayList<>();
    private final List<String> anyOf = new ArrayList<>();
    private final List<String> excluded = new ArrayList<>();

    private FilterPattern() {
    }

    public static FilterPattern parse(String pattern) {
        FilterPattern p = new FilterPattern();
        String s = pattern == null ? "" : pattern.strip();
        if (s.startsWith("{") || s.startsWith("[")) {
            throw new ThawException(ErrorCode.LOGS_INVALID_PARAMETER, "JSON and space-delimited filter patterns are "
                    + "not supported; use terms, \"quoted phrases\", ?alternatives and -exclusions.");
        }
        int i = 0;
        while (i < s.length()) {
            if (Character.isWhitespace(s.charAt(i))) {
                i++;
                continue;
            }
            char kind = s.charAt(i);
            if (kind == '?' || kind == '-') {
                i++;
            }
            StringBuilder term = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                int end = s.indexOf('"', i + 1);
                if (end < 0) {
                    throw new ThawException(ErrorCode.LOGS_INVALID_PARAMETER, "Invalid filter pattern: unclosed quote.");
                }
                term.append(s, i + 1, end);
                i = end + 1;
            } else {
                while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
                    term.append(s.charAt(i++));
                }
            }
            if (term.isEmpty()) {
                continue;
            }
            (kind == '?' ? p.anyOf : kind == '-' ? p.excluded : p.required).add(term.toString());
        }
        return p;
    }

    public boolean matches(String message) {
        for (String t : excluded) {
            if (message.contains(t)) {
                return false;
            }
        }
        for (String t : required) {
            if (!message.contains(t)) {
                return false;
            }
        }
        if (anyOf.isEmpty()) {
            return true;
        }
        for (String t : anyOf) {
            if (message.contains(t)) {
                return true;
            }
        }
        return false;
    }
}

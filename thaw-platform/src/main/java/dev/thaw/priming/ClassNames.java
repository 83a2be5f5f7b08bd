package dev.thaw.priming;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Lists of binary class names as the runtime reports them and the platform keeps them: one name a line. */
public final class ClassNames {
    /** At most this many names are kept per function, the first recorded first. */
    public static final int MAX_NAMES = 20_000;
    /** Longer lines are not taken for class names. */
    static final int MAX_NAME_LENGTH = 1_000;

    private ClassNames() {
    }

    /** The names of a report, in its order, without duplicates; lines that are not a binary class name are dropped. */
    public static List<String> parse(byte[] report) {
        Set<String> names = new LinkedHashSet<>();
        new String(report, StandardCharsets.UTF_8).lines().map(String::strip).filter(ClassNames::isBinaryName)
                .forEach(names::add);
        return List.copyOf(names);
    }

    /** {@code kept}, then what {@code added} has that {@code kept} has not, in order, up to {@code max} names. */
    public static List<String> merge(List<String> kept, List<String> added, int max) {
        Set<String> merged = new LinkedHashSet<>();
        for (String name : kept) {
            if (merged.size() >= max) {
                break;
            }
            merged.add(name);
        }
        for (String name : added) {
            if (merged.size() >= max) {
                break;
            }
            merged.add(name);
        }
        return new ArrayList<>(merged);
    }

    public static String format(List<String> names) {
        return String.join("\n", names);
    }

    /** Dot-separated Java identifiers ({@code $} included), as {@code Class.getName()} gives for a non-array class. */
    static boolean isBinaryName(String s) {
        if (s.isEmpty() || s.length() > MAX_NAME_LENGTH) {
            return false;
        }
        boolean segmentStart = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (segmentStart) {
                    return false;
                }
                segmentStart = true;
            } else if (segmentStart ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c)) {
                segmentStart = false;
            } else {
                return false;
            }
        }
        return !segmentStart;
    }
}

package dev.thaw.functions;

import java.util.List;

/** The runtime identifiers Thaw accepts, as AWS spells them. */
public final class Runtimes {
    public static final List<String> JAVA = List.of("java17", "java21", "java25");
    public static final List<String> CUSTOM = List.of("provided.al2023", "provided.al2", "provided");
    public static final List<String> ALL = List.of("java17", "java21", "java25", "provided.al2023", "provided.al2",
            "provided");

    private Runtimes() {
    }

    public static boolean isCustom(String runtime) {
        return CUSTOM.contains(runtime);
    }

    /** The Java feature release of a managed Java runtime, e.g. 21 for "java21". */
    public static int javaRelease(String runtime) {
        return Integer.parseInt(runtime.substring("java".length()));
    }
}

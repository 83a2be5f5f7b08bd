package dev.thaw.runtime;

import java.util.List;

/**
 * Class priming before a SnapStart checkpoint: loads and links, in the function's class loader, the classes that
 * {@code $LATEST}'s invocations loaded, so a restored copy's first request finds them in the snapshot instead of
 * reading, parsing and verifying them itself.
 *
 * <p>Classes are loaded and linked, never initialised. Initialising runs static initialisers, the application's
 * own code, at a moment it did not choose: they may start threads or open connections (which fail the
 * checkpoint), capture the time or random values that every restored copy would then share, or depend on state
 * that the first request sets up. Loading and linking run none of the function's code, and linking (bytecode
 * verification above all) is most of what a class costs before its first use.
 */
final class ClassPriming {

    private ClassPriming() {
    }

    /** How many of the names were loaded and linked, how many could not be loaded, and how long it took. */
    record Result(int primed, int unloadable, long nanos) {
    }

    static Result prime(List<String> names, ClassLoader loader) {
        long start = System.nanoTime();
        int primed = 0;
        int unloadable = 0;
        for (String name : names) {
            Class<?> c;
            try {
                c = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                unloadable++; // another code revision, or a class generated at run time that does not exist yet
                continue;
            }
            link(c);
            primed++;
        }
        return new Result(primed, unloadable, System.nanoTime() - start);
    }

    /**
     * HotSpot links a class before it lists the class's members, and runs no initialiser for it. The constructors'
     * parameter types load too; one that cannot be loaded fails the listing after the class itself was linked, and a
     * class that fails verification fails the same way on its first use in a restored copy.
     */
    private static void link(Class<?> c) {
        try {
            c.getDeclaredConstructors();
        } catch (LinkageError | RuntimeException e) {
            // loaded; its first use reports the problem, as it would have without priming
        }
    }
}

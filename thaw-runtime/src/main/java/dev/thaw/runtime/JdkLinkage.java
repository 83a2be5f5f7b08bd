package dev.thaw.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.StringConcatFactory;
import java.util.List;

/**
 * Links, before a checkpoint, JDK machinery that a function's first request would otherwise link. A string
 * concatenation ({@code "a" + b}) compiled by javac 9 or later is an {@code invokedynamic} call site that the JDK
 * links on its first run by generating method-handle classes for the argument types; the classes are shared by every
 * call site with the same types, so linking common shapes here leaves the function's own call sites only the
 * (cheap) binding. Runs JDK code only, never the function's.
 */
final class JdkLinkage {

    private JdkLinkage() {
    }

    /** Argument types of the concatenations linked: strings, objects and primitives, one to four of them. */
    private static final List<List<Class<?>>> SHAPES = List.of(
            List.of(String.class), List.of(Object.class), List.of(int.class), List.of(long.class),
            List.of(String.class, String.class), List.of(String.class, Object.class),
            List.of(Object.class, String.class), List.of(String.class, int.class), List.of(String.class, long.class),
            List.of(int.class, String.class), List.of(String.class, double.class), List.of(String.class, boolean.class),
            List.of(String.class, char.class), List.of(String.class, String.class, String.class),
            List.of(String.class, Object.class, String.class), List.of(String.class, int.class, String.class),
            List.of(String.class, long.class, String.class),
            List.of(String.class, String.class, String.class, String.class),
            List.of(String.class, Object.class, Object.class, Object.class));

    static void linkStringConcatenation() {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (List<Class<?>> shape : SHAPES) {
            MethodType type = MethodType.methodType(String.class, shape);
            String recipe = "<" + "\u0001,".repeat(shape.size()) + ">";
            try {
                MethodHandle concat = StringConcatFactory.makeConcatWithConstants(lookup, "concat", type, recipe)
                        .dynamicInvoker();
                concat.invokeWithArguments(shape.stream().map(JdkLinkage::sample).toList());
            } catch (Throwable e) {
                System.err.println("thaw-runtime: linking string concatenation " + type + " failed: " + e);
                return;
            }
        }
    }

    private static Object sample(Class<?> type) {
        if (type == int.class) {
            return 7;
        } else if (type == long.class) {
            return 7L;
        } else if (type == double.class) {
            return 0.5;
        } else if (type == boolean.class) {
            return true;
        } else if (type == char.class) {
            return 'c';
        }
        return "s";
    }
}

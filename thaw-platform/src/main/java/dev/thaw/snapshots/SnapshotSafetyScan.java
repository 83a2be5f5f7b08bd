package dev.thaw.snapshots;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.CodeElement;
import java.lang.classfile.FieldModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.reflect.AccessFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A publish-time scan of the function's own classes (the task root, not lib/) for state that a snapshot would
 * freeze and every restored copy would share, in the spirit of AWS's SnapStart rules:
 * <ul>
 *   <li>a static {@code java.util.Random} field (and an instance one in the handler class), seeded once at INIT;</li>
 *   <li>a field assigned, in a static initialiser or the handler's constructor, a value from {@code Math.random},
 *   {@code UUID.randomUUID}, {@code Random.next*}, {@code new Random()}, the clock or {@code Instant.now}.</li>
 * </ul>
 * The platform re-seeds the JDK's global generators after restore; these are the ones it cannot reach.
 */
public final class SnapshotSafetyScan {
    private static final ClassDesc RANDOM = ClassDesc.of("java.util.Random");

    private SnapshotSafetyScan() {
    }

    /** Warnings as "Class.field: reason", in a stable order. */
    public static List<String> scan(Path taskRoot, String handler) {
        String handlerClass = handler.contains("::") ? handler.substring(0, handler.indexOf("::")) : handler;
        Set<String> warnings = new LinkedHashSet<>();
        if (!Files.isDirectory(taskRoot)) {
            return List.of();
        }
        try (var files = Files.walk(taskRoot)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class"))
                    .filter(p -> !taskRoot.relativize(p).startsWith("lib")).sorted().toList()) {
                try {
                    scanClass(ClassFile.of().parse(Files.readAllBytes(f)), handlerClass, warnings);
                } catch (IllegalArgumentException e) {
                    // not a class file we can parse: nothing to say about it
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return new ArrayList<>(warnings);
    }

    private static void scanClass(ClassModel cls, String handlerClass, Set<String> warnings) {
        String name = cls.thisClass().asSymbol().packageName().isEmpty() ? cls.thisClass().asSymbol().displayName()
                : cls.thisClass().asSymbol().packageName() + "." + cls.thisClass().asSymbol().displayName();
        boolean isHandler = name.equals(handlerClass);
        for (FieldModel field : cls.fields()) {
            boolean isStatic = field.flags().has(AccessFlag.STATIC);
            if (field.fieldTypeSymbol().equals(RANDOM) && (isStatic || isHandler)) {
                warnings.add(name + "." + field.fieldName().stringValue() + ": " + (isStatic ? "static " : "")
                        + "java.util.Random field is seeded once during INIT, so every restored copy produces the "
                        + "same sequence; create it in afterRestore() or use java.security.SecureRandom");
            }
        }
        for (MethodModel method : cls.methods()) {
            String m = method.methodName().stringValue();
            if (!m.equals("<clinit>") && !(isHandler && m.equals("<init>"))) {
                continue;
            }
            String where = m.equals("<clinit>") ? "a static initialiser" : "the handler's constructor";
            method.code().ifPresent(code -> {
                String pendingSource = null;
                for (CodeElement e : code) {
                    if (e instanceof InvokeInstruction call) {
                        String source = uniqueOrTimeSource(call);
                        if (source != null) {
                            pendingSource = source;
                        }
                    } else if (e instanceof FieldInstruction put && pendingSource != null
                            && (put.opcode() == java.lang.classfile.Opcode.PUTSTATIC
                            || put.opcode() == java.lang.classfile.Opcode.PUTFIELD)) {
                        warnings.add(name + "." + put.name().stringValue() + ": assigned from " + pendingSource
                                + " in " + where + ", so every restored copy shares the value; compute it in "
                                + "afterRestore() or per request");
                        pendingSource = null;
                    }
                }
            });
        }
    }

    private static String uniqueOrTimeSource(InvokeInstruction call) {
        String owner = call.owner().asInternalName();
        String method = call.name().stringValue();
        return switch (owner) {
            case "java/lang/Math", "java/lang/StrictMath" -> method.equals("random") ? "Math.random()" : null;
            case "java/util/UUID" -> method.equals("randomUUID") ? "UUID.randomUUID()" : null;
            case "java/util/Random" -> method.equals("<init>") ? "new Random()"
                    : method.startsWith("next") ? "Random." + method + "()" : null;
            case "java/lang/System" -> method.equals("currentTimeMillis") || method.equals("nanoTime")
                    ? "System." + method + "()" : null;
            case "java/time/Instant", "java/time/LocalDateTime", "java/time/ZonedDateTime" ->
                    method.equals("now") ? call.owner().asSymbol().displayName() + ".now()" : null;
            default -> null;
        };
    }
}

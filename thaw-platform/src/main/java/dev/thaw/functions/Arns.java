package dev.thaw.functions;

import dev.thaw.errors.ThawException;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds and parses function ARNs for one region and account. */
public record Arns(String region, String accountId) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,64}");
    private static final Pattern QUALIFIER = Pattern.compile("[a-zA-Z0-9$_-]{1,128}");
    private static final Pattern FULL = Pattern.compile(
            "arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\\d{12}):function:([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?");
    private static final Pattern PARTIAL = Pattern.compile("(\\d{12}):function:([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?");
    private static final Pattern NAME_WITH_QUALIFIER = Pattern.compile("([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?");

    public String functionArn(String name) {
        return "arn:aws:lambda:" + region + ":" + accountId + ":function:" + name;
    }

    public String qualifiedArn(String name, String qualifier) {
        return functionArn(name) + ":" + qualifier;
    }

    /** A function reference as the API accepts it: a name, a partial ARN or a full ARN, each optionally qualified. */
    public record FunctionRef(String name, Optional<String> qualifier) {
        /** Merges an explicit Qualifier parameter with one embedded in the name; they must agree. */
        public Optional<String> qualifier(String explicit) {
            if (explicit == null || explicit.isEmpty()) {
                return qualifier;
            }
            if (!QUALIFIER.matcher(explicit).matches()) {
                throw ThawException.invalidParameter("1 validation error detected: Value '" + explicit
                        + "' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression "
                        + "pattern: (|[a-zA-Z0-9$_-]+)");
            }
            if (qualifier.isPresent() && !qualifier.get().equals(explicit)) {
                throw ThawException.invalidParameter("The derived qualifier from the function name does not match "
                        + "the specified qualifier.");
            }
            return Optional.of(explicit);
        }
    }

    public FunctionRef parse(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > 170) {
            throw ThawException.invalidParameter("FunctionName must be a name, a partial ARN or an ARN of at most "
                    + "170 characters.");
        }
        Matcher m = FULL.matcher(raw);
        if (m.matches()) {
            if (!m.group(1).equals(region) || !m.group(2).equals(accountId)) {
                throw ThawException.notFound("Function not found: " + raw);
            }
            return ref(m.group(3), m.group(4));
        }
        m = PARTIAL.matcher(raw);
        if (m.matches()) {
            if (!m.group(1).equals(accountId)) {
                throw ThawException.notFound("Function not found: " + raw);
            }
            return ref(m.group(2), m.group(3));
        }
        m = NAME_WITH_QUALIFIER.matcher(raw);
        if (m.matches()) {
            return ref(m.group(1), m.group(2));
        }
        throw ThawException.invalidParameter("1 validation error detected: Value '" + raw
                + "' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                + "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
                + "([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
    }

    private static FunctionRef ref(String name, String qualifier) {
        requireValidName(name);
        return new FunctionRef(name, Optional.ofNullable(qualifier));
    }

    public static void requireValidName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + name
                    + "' at 'functionName' failed to satisfy constraint: Member must have length between 1 and 64 "
                    + "and contain only letters, digits, '-' and '_'");
        }
    }
}

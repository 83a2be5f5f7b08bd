package dev.thaw.layers;

import dev.thaw.errors.ThawException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code arn:aws:lambda:<region>:<account>:layer:<name>:<version>}, the only way a function names a layer. */
public record LayerVersionArn(String region, String accountId, String layerName, long version) {
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_-]{1,140}");
    private static final Pattern ARN = Pattern.compile(
            "arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\\d):(\\d{12}):layer:([a-zA-Z0-9_-]{1,140}):([0-9]{1,15})");
    private static final Pattern LAYER_ARN = Pattern.compile(
            "arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\\d):(\\d{12}):layer:([a-zA-Z0-9_-]{1,140})");

    public static LayerVersionArn parse(String raw) {
        Matcher m = raw == null ? null : ARN.matcher(raw);
        if (m == null || !m.matches()) {
            throw ThawException.invalidParameter("1 validation error detected: Value '" + raw + "' at 'arn' failed "
                    + "to satisfy constraint: Member must satisfy regular expression pattern: "
                    + "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+");
        }
        long version = Long.parseLong(m.group(4));
        if (version < 1) {
            throw ThawException.invalidParameter("Layer version numbers start at 1: " + raw);
        }
        return new LayerVersionArn(m.group(1), m.group(2), m.group(3), version);
    }

    /**
     * The layer a path's {@code LayerName} names: a name, or a layer ARN of this region and account (whose name is
     * returned).
     */
    static String layerName(String raw, String region, String accountId) {
        if (raw != null && NAME.matcher(raw).matches()) {
            return raw;
        }
        Matcher m = raw == null ? null : LAYER_ARN.matcher(raw);
        if (m != null && m.matches()) {
            if (!m.group(1).equals(region) || !m.group(2).equals(accountId)) {
                throw ThawException.notFound("Layer not found: " + raw);
            }
            return m.group(3);
        }
        throw ThawException.invalidParameter("1 validation error detected: Value '" + raw + "' at 'layerName' "
                + "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                + "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+");
    }

    public static String layerArn(String region, String accountId, String layerName) {
        return "arn:aws:lambda:" + region + ":" + accountId + ":layer:" + layerName;
    }

    public String layerArn() {
        return layerArn(region, accountId, layerName);
    }

    @Override
    public String toString() {
        return layerArn() + ":" + version;
    }
}

package dev.thaw.functions;

/** SnapStart's ApplyOn setting. */
public enum SnapStartMode {
    NONE("None"),
    PUBLISHED_VERSIONS("PublishedVersions");

    private final String awsName;

    SnapStartMode(String awsName) {
        this.awsName = awsName;
    }

    public String awsName() {
        return awsName;
    }

    public static SnapStartMode fromAws(String value) {
        for (SnapStartMode m : values()) {
            if (m.awsName.equals(value)) {
                return m;
            }
        }
        throw dev.thaw.errors.ThawException.invalidParameter("SnapStart ApplyOn must be one of [PublishedVersions, None]"
                + ", got " + value);
    }
}

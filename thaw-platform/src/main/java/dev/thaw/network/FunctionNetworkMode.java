package dev.thaw.network;

import java.util.Locale;

/** What a function's environment may reach beyond its own loopback ({@code thaw server --function-network}). */
public enum FunctionNetworkMode {
    /** The outside network, through NAT, as on Lambda; never the host or another environment. */
    DEFAULT,
    /** Loopback only. */
    NONE;

    public static FunctionNetworkMode parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--function-network must be 'default' or 'none', not '" + value + "'");
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

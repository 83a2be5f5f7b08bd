package dev.thaw.network;

/**
 * The point-to-point link between an environment and the host: a /30 of the environments' subnet per link, the
 * host's end ({@code thv<index>}) at .1 and the environment's ({@code eth0}) at .2.
 */
record VethLink(int index) {
    /** Host interfaces of every environment on this host, whoever started it, match this nftables pattern. */
    static final String HOST_PREFIX = "thv";
    /** The environments' subnet: 10.200.0.0/16, 16,384 links. */
    static final String SUBNET = "10.200.0.0/16";
    static final int LINKS = 16_384;

    VethLink {
        if (index < 0 || index >= LINKS) {
            throw new IllegalArgumentException("link index " + index);
        }
    }

    String hostInterface() {
        return HOST_PREFIX + index;
    }

    String hostAddress() {
        return address(1);
    }

    String environmentAddress() {
        return address(2);
    }

    private String address(int host) {
        int offset = index * 4 + host;
        return "10.200." + (offset >> 8) + "." + (offset & 0xff);
    }
}

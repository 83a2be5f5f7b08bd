package dev.thaw.snapshots;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostFingerprintTest {
    @Test
    void theIdNamesTheWholeFingerprintAndChangesWithAnyPartOfIt() {
        HostFingerprint here = new HostFingerprint("25.0.1+8-LTS", "4.1.1", "6.1.0-28-amd64", "ab12");
        assertTrue(here.id().matches("[0-9a-f]{16}"), here.id());
        assertEquals(here.id(), new HostFingerprint("25.0.1+8-LTS", "4.1.1", "6.1.0-28-amd64", "ab12").id());
        assertNotEquals(here.id(), new HostFingerprint("25.0.2+7-LTS", "4.1.1", "6.1.0-28-amd64", "ab12").id());
        assertNotEquals(here.id(), new HostFingerprint("25.0.1+8-LTS", "4.1.1+other", "6.1.0-28-amd64", "ab12").id());
        assertNotEquals(here.id(), new HostFingerprint("25.0.1+8-LTS", "4.1.1", "6.1.0-29-amd64", "ab12").id());
        assertNotEquals(here.id(), new HostFingerprint("25.0.1+8-LTS", "4.1.1", "6.1.0-28-amd64", "cd34").id());
    }
}

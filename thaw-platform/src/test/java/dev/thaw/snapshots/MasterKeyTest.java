package dev.thaw.snapshots;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.SecretKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The snapshot master key file and the wrapping of data keys. */
class MasterKeyTest {
    @TempDir
    Path dir;

    @Test
    void theKeyFileIsCreatedOnceWithMode600AndReadBackAsTheSameKey() throws Exception {
        Path file = dir.resolve("keys").resolve("snapshot.key");
        MasterKey first = MasterKey.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String content = Files.readString(file);
        MasterKey again = MasterKey.loadOrCreate(file);
        assertEquals(first.id(), again.id());
        assertEquals(content, Files.readString(file), "an existing key is never replaced");
        SecretKey data = MasterKey.newDataKey();
        assertArrayEquals(data.getEncoded(), again.unwrap(first.id(), first.wrap(data)).getEncoded());
    }

    @Test
    void aDataKeyWrappedUnderAnotherMasterKeyDoesNotUnwrap() {
        MasterKey a = MasterKey.loadOrCreate(dir.resolve("a.key"));
        MasterKey b = MasterKey.loadOrCreate(dir.resolve("b.key"));
        assertNotEquals(a.id(), b.id());
        String wrapped = a.wrap(MasterKey.newDataKey());
        assertThrows(SealedFile.Broken.class, () -> b.unwrap(a.id(), wrapped), "another key id");
        assertThrows(SealedFile.Broken.class, () -> b.unwrap(b.id(), wrapped), "the right id, the wrong key");
    }

    @Test
    void aKeyFileOfTheWrongLengthOrNotBase64StopsTheStart() throws Exception {
        Path shortKey = dir.resolve("short.key");
        Files.writeString(shortKey, java.util.Base64.getEncoder().encodeToString(new byte[16]));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MasterKey.loadOrCreate(shortKey));
        assertEquals("the snapshot key file " + shortKey + " holds 16 bytes; a snapshot key is 32 (256 bits)",
                e.getMessage());
        Path garbage = dir.resolve("garbage.key");
        Files.writeString(garbage, "not a key!");
        assertThrows(IllegalStateException.class, () -> MasterKey.loadOrCreate(garbage));
    }
}

package dev.thaw.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessKeysTest {
    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("keys"), text);
    }

    @Test
    void everyProfileOfACredentialsFileIsOneAcceptedKey() throws IOException {
        AccessKeys keys = AccessKeys.read(file("""
                # shared with the AWS CLI
                [default]
                aws_access_key_id = AKIDDEFAULT
                aws_secret_access_key = default/secret+key

                [ci]
                aws_access_key_id=AKIDCI
                aws_secret_access_key=ci-secret
                region = eu-west-1
                """));
        assertEquals(2, keys.size());
        assertEquals("default/secret+key", keys.find("AKIDDEFAULT").orElseThrow().secret());
        assertEquals("ci-secret", keys.find("AKIDCI").orElseThrow().secret());
        assertTrue(keys.find("AKIDOTHER").isEmpty());
        assertTrue(keys.required());
    }

    @Test
    void aProfileWithoutItsSecretIsRefusedNamingTheProfile() throws IOException {
        Path f = file("[ops]\naws_access_key_id = AKIDOPS\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccessKeys.read(f));
        assertTrue(e.getMessage().contains("[ops]") && e.getMessage().contains("aws_secret_access_key"),
                e.getMessage());
    }

    @Test
    void oneKeyIdWithTwoSecretsIsRefused() throws IOException {
        Path f = file("[a]\naws_access_key_id = AKID\naws_secret_access_key = one\n"
                + "[b]\naws_access_key_id = AKID\naws_secret_access_key = two\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccessKeys.read(f));
        assertTrue(e.getMessage().contains("second secret"), e.getMessage());
    }

    @Test
    void aFileThatNamesNoKeyOrDoesNotExistIsRefused() throws IOException {
        Path empty = file("# nothing here\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AccessKeys.read(empty)).getMessage()
                .contains("names no access key"));
        Path absent = dir.resolve("absent");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AccessKeys.read(absent)).getMessage()
                .contains("does not exist"));
    }

    @Test
    void noKeysMeansNoSignatureIsRequiredAndTheSecretNeverPrints() {
        assertFalse(AccessKeys.none().required());
        assertFalse(new AccessKey("AKID", "s3cr3t").toString().contains("s3cr3t"));
    }
}

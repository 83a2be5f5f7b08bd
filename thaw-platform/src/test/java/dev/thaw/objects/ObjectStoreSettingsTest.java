package dev.thaw.objects;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ObjectStoreSettingsTest {
    @Test
    void anS3LocationNamesItsBucketAndAPrefixEndingInASlash() {
        assertEquals(new ObjectStoreSettings.S3Location("b", "team/thaw/"),
                ObjectStoreSettings.S3Location.parse("s3://b/team/thaw"));
        assertEquals(new ObjectStoreSettings.S3Location("b", ""), ObjectStoreSettings.S3Location.parse("s3://b"));
        assertThrows(IllegalArgumentException.class, () -> ObjectStoreSettings.S3Location.parse("http://b/x"));
    }

    @Test
    void sizesTakeBinaryUnits() {
        assertEquals(512L << 20, ObjectStoreSettings.parseSize("512m"));
        assertEquals(20L << 30, ObjectStoreSettings.parseSize("20G"));
        assertEquals(1000, ObjectStoreSettings.parseSize("1000"));
        assertThrows(IllegalArgumentException.class, () -> ObjectStoreSettings.parseSize("lots"));
    }
}

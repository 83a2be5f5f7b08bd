package dev.thaw.objects;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A store of immutable objects shared by every platform instance that names it. Keys are relative paths
 * ({@code code/<sha256>.zip}, {@code snapshots/<function>/<version>/manifest.json}); a store keeps them under its
 * own prefix.
 */
public interface ObjectStore extends AutoCloseable {

    /** False for the home alone: nothing is copied and nothing can be fetched. */
    boolean shared();

    /** Uploads a file (in parts when it is large), replacing any object of that key. */
    void put(String key, Path file);

    /**
     * Downloads an object to {@code target}, replacing it.
     *
     * @return false when there is no such object
     */
    boolean get(String key, Path target);

    /** The keys under a prefix that ends with {@code /}, relative to the store, in no particular order. */
    List<String> list(String prefix);

    /** Deletes every object under a prefix that ends with {@code /}, or the one object of that key. */
    void delete(String keyOrPrefix);

    /**
     * Reads a user's object from the store's endpoint, as Lambda reads {@code Code.S3Bucket}/{@code S3Key}.
     *
     * @throws dev.thaw.errors.ThawException InvalidParameterValueException with S3's error code, as AWS reports it
     */
    byte[] readUserObject(String bucket, String key, Optional<String> versionId);

    /** Says where objects go, for the server's log. */
    String describe();

    @Override
    void close();

    /** The default: the home is the only copy. */
    static ObjectStore homeOnly() {
        return HomeOnly.INSTANCE;
    }
}

package dev.thaw.objects;

import dev.thaw.errors.ThawException;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** No object store: packages and images exist only under the home, as they always have. */
final class HomeOnly implements ObjectStore {
    static final HomeOnly INSTANCE = new HomeOnly();

    private HomeOnly() {
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public void put(String key, Path file) {
    }

    @Override
    public boolean get(String key, Path target) {
        return false;
    }

    @Override
    public List<String> list(String prefix) {
        return List.of();
    }

    @Override
    public void delete(String keyOrPrefix) {
    }

    @Override
    public byte[] readUserObject(String bucket, String key, Optional<String> versionId) {
        throw ThawException.invalidParameter("Code.S3Bucket needs an S3 endpoint: start the server with "
                + "--object-store s3://BUCKET/PREFIX or --object-store-endpoint URL, or give Code.ZipFile.");
    }

    @Override
    public String describe() {
        return "the home only";
    }

    @Override
    public void close() {
    }
}

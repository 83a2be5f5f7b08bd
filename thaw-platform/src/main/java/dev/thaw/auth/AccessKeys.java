package dev.thaw.auth;

import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The access keys the API accepts, read from a file in the shape of {@code ~/.aws/credentials} (parsed by the AWS
 * SDK's profile-file reader), so a user can hand the server the file their own tools already use:
 * <pre>
 * [alice]
 * aws_access_key_id = AKIAEXAMPLEALICE
 * aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
 * </pre>
 * Every profile names one key; profile names are labels only. A profile without both values, or one key id with two
 * secrets, is refused, so a typo cannot silently lock a user out or let a second secret in.
 */
public final class AccessKeys {
    private final Map<String, AccessKey> byId;

    private AccessKeys(Map<String, AccessKey> byId) {
        this.byId = Map.copyOf(byId);
    }

    /** No keys configured: the API checks no signature (allowed on loopback only). */
    public static AccessKeys none() {
        return new AccessKeys(Map.of());
    }

    /** Whether keys are configured, so that every request must be signed with one of them. */
    public boolean required() {
        return !byId.isEmpty();
    }

    /** Reads {@code file}; an unreadable file or one that names no usable key is an {@link IllegalArgumentException}. */
    public static AccessKeys read(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("the access keys file " + file + " does not exist or cannot be read");
        }
        ProfileFile profiles = ProfileFile.builder().content(file).type(ProfileFile.Type.CREDENTIALS).build();
        Map<String, AccessKey> keys = new LinkedHashMap<>();
        for (Profile profile : profiles.profiles().values()) {
            String where = "profile [" + profile.name() + "] of " + file;
            String id = profile.property("aws_access_key_id").map(String::strip).filter(s -> !s.isEmpty())
                    .orElseThrow(() -> new IllegalArgumentException(where + " has no aws_access_key_id"));
            String secret = profile.property("aws_secret_access_key").map(String::strip).filter(s -> !s.isEmpty())
                    .orElseThrow(() -> new IllegalArgumentException(where + " has no aws_secret_access_key"));
            AccessKey earlier = keys.putIfAbsent(id, new AccessKey(id, secret));
            if (earlier != null && !earlier.secret().equals(secret)) {
                throw new IllegalArgumentException(where + " gives access key " + id + " a second secret");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("the access keys file " + file + " names no access key (expected "
                    + "[name] sections with aws_access_key_id and aws_secret_access_key, as in ~/.aws/credentials)");
        }
        return new AccessKeys(keys);
    }

    public Optional<AccessKey> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public int size() {
        return byId.size();
    }
}

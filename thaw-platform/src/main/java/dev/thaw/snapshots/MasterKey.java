package dev.thaw.snapshots;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The master key that wraps each snapshot's data key (AES key wrap, RFC 3394, {@code AES/KW/NoPadding}). It is
 * 32 random bytes, kept base64-encoded on one line of the key file ({@code --snapshot-key-file}), which is created
 * with mode 0600 at the first start when absent. Its id, a hash of the key, goes into every manifest, so a snapshot
 * sealed under another key is recognised before anything is decrypted.
 */
public final class MasterKey {
    private static final Logger LOG = Logger.getLogger(MasterKey.class.getName());
    private static final int KEY_BYTES = 32;

    private final SecretKey key;
    private final String id;

    private MasterKey(byte[] bytes) {
        this.key = new SecretKeySpec(bytes, "AES");
        this.id = idOf(bytes);
    }

    /** Reads the key file, or creates it (mode 0600, random key) if it does not exist. */
    public static MasterKey loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                create(file);
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                LOG.warning("the snapshot key file " + file + " is readable by others (" + PosixFilePermissions
                        .toString(mode) + "); anyone who reads it can decrypt the snapshots: chmod 600 it");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("the snapshot key file " + file + " does not hold a base64 key");
            }
            if (bytes.length != KEY_BYTES) {
                throw new IllegalStateException("the snapshot key file " + file + " holds " + bytes.length
                        + " bytes; a snapshot key is " + KEY_BYTES + " (256 bits)");
            }
            return new MasterKey(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the snapshot key file " + file, e);
        }
    }

    private static void create(Path file) throws IOException {
        byte[] fresh = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(fresh);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        // Created with its final mode, so the key is never readable by others, not even for a moment.
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.US_ASCII);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException raced) {
            Files.deleteIfExists(tmp);
        }
        LOG.info("created the snapshot key file " + file);
    }

    /** A short public name of this key: the first 16 hex digits of a domain-separated SHA-256 of it. */
    public String id() {
        return id;
    }

    /** A fresh random AES-256 data key for one snapshot. */
    static SecretKey newDataKey() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, new SecureRandom());
            return generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The data key wrapped under this master key, base64-encoded for the manifest. */
    String wrap(SecretKey dataKey) {
        try {
            Cipher cipher = Cipher.getInstance("AES/KW/NoPadding");
            cipher.init(Cipher.WRAP_MODE, key);
            return Base64.getEncoder().encodeToString(cipher.wrap(dataKey));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES key wrap is not available in this JDK", e);
        }
    }

    /** Unwraps a manifest's data key; fails if it was wrapped under another key or altered. */
    SecretKey unwrap(String keyId, String wrapped) throws SealedFile.Broken {
        if (!id.equals(keyId)) {
            throw new SealedFile.Broken("the snapshot was sealed with key " + keyId + ", and this platform's key is "
                    + id);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/KW/NoPadding");
            cipher.init(Cipher.UNWRAP_MODE, key);
            return (SecretKey) cipher.unwrap(Base64.getDecoder().decode(wrapped), "AES", Cipher.SECRET_KEY);
        } catch (java.security.InvalidKeyException | IllegalArgumentException e) {
            throw new SealedFile.Broken("the snapshot's data key does not unwrap under key " + id);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES key wrap is not available in this JDK", e);
        }
    }

    /**
     * Authenticates what a manifest says about its snapshot (which function and version, and the name and plain
     * size of every image file) under a key derived from the data key, so that files cannot be removed, added or
     * traded between snapshots without notice.
     */
    static String tag(SecretKey dataKey, String subject) {
        try {
            Mac derive = Mac.getInstance("HmacSHA256");
            derive.init(new SecretKeySpec(dataKey.getEncoded(), "HmacSHA256"));
            byte[] macKey = derive.doFinal("thaw snapshot manifest".getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(subject.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String idOf(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("thaw snapshot key id\0".getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

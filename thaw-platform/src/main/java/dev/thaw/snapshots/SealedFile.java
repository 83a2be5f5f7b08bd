package dev.thaw.snapshots;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * One image file encrypted at rest: AES-256-GCM in chunks, so that sealing and opening a file of any size needs two
 * chunks of memory. Layout: a header ({@code THAWSEAL}, format 1, the chunk size), then records of
 * {@code final flag, plain length, 12-byte random IV, ciphertext with its 16-byte tag}. Each chunk's additional
 * authenticated data is the header, the file's name, the chunk's index, its final flag and its length, so a chunk
 * moved to another position or file, a file cut at a chunk boundary, a renamed file or bytes after the last chunk
 * all fail authentication.
 */
final class SealedFile {
    /**
     * Small enough that the JIT sees many calls of the cipher early (its AES-GCM intrinsic is only used in compiled
     * code) and memory stays small; the overhead is 33 bytes per chunk.
     */
    static final int DEFAULT_CHUNK_BYTES = 256 << 10;
    private static final byte[] MAGIC = "THAWSEAL".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;
    private static final int HEADER_BYTES = MAGIC.length + 1 + 4;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int MAX_CHUNK_BYTES = 64 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private SealedFile() {
    }

    /** A sealed file that is not what was sealed: tampered with, truncated, reordered, or sealed with another key. */
    static final class Broken extends Exception {
        Broken(String message) {
            super(message);
        }
    }

    /** Encrypts {@code plain} into {@code sealed} under {@code name}, then closes it; returns the plain size. */
    static long seal(Path plain, OutputStream sealed, String name, SecretKey key, int chunkBytes) throws IOException {
        byte[] header = header(chunkBytes);
        try (InputStream in = Files.newInputStream(plain);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(sealed, 1 << 16))) {
            out.write(header);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] current = new byte[chunkBytes];
            byte[] next = new byte[chunkBytes];
            byte[] cipherText = new byte[chunkBytes + TAG_BITS / 8];
            byte[] iv = new byte[IV_BYTES];
            int currentLength = in.readNBytes(current, 0, chunkBytes);
            long total = 0;
            for (long index = 0; ; index++) {
                // A full chunk is final only if nothing follows it, so each chunk is written once the next is read.
                int nextLength = currentLength == chunkBytes ? in.readNBytes(next, 0, chunkBytes) : 0;
                boolean last = nextLength == 0;
                RANDOM.nextBytes(iv);
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
                cipher.updateAAD(aad(header, name, index, last, currentLength));
                int n = cipher.doFinal(current, 0, currentLength, cipherText, 0);
                out.writeBoolean(last);
                out.writeInt(currentLength);
                out.write(iv);
                out.write(cipherText, 0, n);
                total += currentLength;
                if (last) {
                    return total;
                }
                byte[] swap = current;
                current = next;
                next = swap;
                currentLength = nextLength;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /** Decrypts {@code sealed} into {@code plain} (created anew), checking every chunk; returns the plain size. */
    static long open(Path sealed, Path plain, String name, SecretKey key) throws IOException, Broken {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(sealed), 1 << 16));
             OutputStream out = Files.newOutputStream(plain)) {
            byte[] header = new byte[HEADER_BYTES];
            if (in.readNBytes(header, 0, HEADER_BYTES) != HEADER_BYTES
                    || !java.util.Arrays.equals(header, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new Broken(name + " is not a sealed image");
            }
            if (header[MAGIC.length] != FORMAT) {
                throw new Broken(name + " is sealed in format " + header[MAGIC.length] + ", not " + FORMAT);
            }
            int chunkBytes = ByteBuffer.wrap(header, MAGIC.length + 1, 4).getInt();
            if (chunkBytes <= 0 || chunkBytes > MAX_CHUNK_BYTES) {
                throw new Broken(name + " has an impossible chunk size " + chunkBytes);
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] iv = new byte[IV_BYTES];
            byte[] cipherText = new byte[chunkBytes + TAG_BITS / 8];
            byte[] plainText = new byte[chunkBytes];
            long total = 0;
            for (long index = 0; ; index++) {
                int flag = in.read();
                if (flag < 0) {
                    throw new Broken(name + " is truncated: it ends before its last chunk");
                }
                boolean last = flag != 0;
                int length;
                try {
                    length = in.readInt();
                    if (length < 0 || length > chunkBytes) {
                        throw new Broken(name + " chunk " + index + " has an impossible length " + length);
                    }
                    in.readFully(iv);
                    in.readFully(cipherText, 0, length + TAG_BITS / 8);
                } catch (EOFException e) {
                    throw new Broken(name + " is truncated inside chunk " + index);
                }
                cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
                cipher.updateAAD(aad(header, name, index, last, length));
                int n;
                try {
                    n = cipher.doFinal(cipherText, 0, length + TAG_BITS / 8, plainText, 0);
                } catch (AEADBadTagException e) {
                    throw new Broken(name + " chunk " + index + " fails authentication (tampered with, moved, "
                            + "or sealed with another key)");
                }
                out.write(plainText, 0, n);
                total += n;
                if (last) {
                    if (in.read() >= 0) {
                        throw new Broken(name + " has data after its last chunk");
                    }
                    return total;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /**
     * Runs the cipher and the SHA-256 that sealing uses on small buffers a few thousand times, so that the JIT has
     * compiled them, with the CPU's AES-GCM and SHA intrinsics, before the first snapshot is sealed or opened:
     * interpreted, AES-GCM runs about a hundred times slower.
     */
    static void warmUp() {
        try {
            SecretKey key = MasterKey.newDataKey();
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] plain = new byte[4096];
            byte[] sealed = new byte[plain.length + TAG_BITS / 8];
            byte[] iv = new byte[IV_BYTES];
            byte[] aad = aad(header(DEFAULT_CHUNK_BYTES), "warm-up", 0, true, plain.length);
            for (int i = 0; i < 3000; i++) {
                RANDOM.nextBytes(iv);
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
                cipher.updateAAD(aad);
                int n = cipher.doFinal(plain, 0, plain.length, sealed, 0);
                cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
                cipher.updateAAD(aad);
                cipher.doFinal(sealed, 0, n, plain, 0);
                sha.update(sealed, 0, n);
            }
            sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    private static byte[] header(int chunkBytes) {
        if (chunkBytes <= 0 || chunkBytes > MAX_CHUNK_BYTES) {
            throw new IllegalArgumentException("chunk size " + chunkBytes);
        }
        return ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).put((byte) FORMAT).putInt(chunkBytes).array();
    }

    private static byte[] aad(byte[] header, String name, long index, boolean last, int length) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(header.length + 4 + nameBytes.length + 8 + 1 + 4).put(header)
                .putInt(nameBytes.length).put(nameBytes).putLong(index).put((byte) (last ? 1 : 0)).putInt(length)
                .array();
    }
}

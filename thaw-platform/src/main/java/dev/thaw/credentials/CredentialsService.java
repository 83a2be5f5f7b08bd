package dev.thaw.credentials;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.environments.CredentialsSource;
import dev.thaw.runtimeapi.CredentialsEndpoint;
import dev.thaw.runtimeapi.ErrorBody;
import dev.thaw.runtimeapi.RuntimeApiServer;
import dev.thaw.functions.FunctionVersion;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Mints and checks authorization tokens, and hands out the host's credentials to holders of a valid token through
 * every environment's credentials endpoint.
 */
public final class CredentialsService implements CredentialsSource {
    /** How long served credentials are declared valid; clients refresh before then. */
    static final Duration LIFETIME = Duration.ofMinutes(15);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final byte[] secret;
    private final Map<String, String> hostEnvironment;
    private final Clock clock;

    public CredentialsService(Path secretFile, Map<String, String> hostEnvironment, Clock clock) {
        this.secret = loadOrCreateSecret(secretFile);
        this.hostEnvironment = Map.copyOf(hostEnvironment);
        this.clock = clock;
    }

    /** Credentials as the container credentials endpoint returns them. */
    public record Credentials(String accessKeyId, String secretAccessKey, String token, Instant expiration) {
    }

    @Override
    public Map<String, String> environment(FunctionVersion version) {
        return Map.of(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://" + RuntimeApiServer.ADDRESS + CredentialsEndpoint.PATH,
                "AWS_CONTAINER_AUTHORIZATION_TOKEN", token(version.functionName(), version.version()));
    }

    /** The host's credentials for a genuine token; 403 for a missing or forged one, 404 when the host has none. */
    @Override
    public Reply answer(String authorization) {
        if (verify(authorization).isEmpty()) {
            return new Reply(403, ErrorBody.of("AccessDeniedException",
                    "Missing or invalid AWS_CONTAINER_AUTHORIZATION_TOKEN in the Authorization header."));
        }
        Optional<Credentials> current = current();
        if (current.isEmpty()) {
            return new Reply(404, ErrorBody.of("ResourceNotFoundException", "No AWS credentials are configured on "
                    + "this Thaw host (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for `thaw server`)."));
        }
        Credentials c = current.get();
        ObjectNode out = JSON.createObjectNode();
        out.put("AccessKeyId", c.accessKeyId());
        out.put("SecretAccessKey", c.secretAccessKey());
        out.put("Token", c.token());
        out.put("Expiration", c.expiration().toString());
        try {
            return new Reply(200, JSON.writeValueAsBytes(out));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    String token(String function, String version) {
        String subject = function + ":" + version;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(subject.getBytes(StandardCharsets.UTF_8)) + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(subject));
    }

    /** The function version a token names, if the token is genuine. */
    public Optional<String> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        try {
            String subject = new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8);
            byte[] mac = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            return MessageDigest.isEqual(mac, hmac(subject)) ? Optional.of(subject) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The host's credentials, valid for {@link #LIFETIME} from now; empty when the host has none configured. */
    public Optional<Credentials> current() {
        String id = hostEnvironment.get("AWS_ACCESS_KEY_ID");
        String key = hostEnvironment.get("AWS_SECRET_ACCESS_KEY");
        if (id == null || key == null || id.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Credentials(id, key, hostEnvironment.getOrDefault("AWS_SESSION_TOKEN", ""),
                clock.instant().plus(LIFETIME)));
    }

    private byte[] hmac(String subject) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(subject.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] loadOrCreateSecret(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                return Files.readAllBytes(file);
            }
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, fresh);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

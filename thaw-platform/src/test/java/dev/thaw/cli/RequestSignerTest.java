package dev.thaw.cli;

import dev.thaw.auth.AccessKeys;
import dev.thaw.auth.ReceivedRequest;
import dev.thaw.auth.SignatureVerifier;
import dev.thaw.auth.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestSignerTest {
    @TempDir
    Path dir;

    @Test
    void theRegionComesFromTheOptionThenTheEnvironmentThenTheDefault() {
        assertEquals("eu-west-1", RequestSigner.region("eu-west-1", Map.of("AWS_REGION", "us-west-2")));
        assertEquals("us-west-2", RequestSigner.region(null, Map.of("AWS_REGION", "us-west-2",
                "AWS_DEFAULT_REGION", "ap-south-1")));
        assertEquals("ap-south-1", RequestSigner.region(null, Map.of("AWS_DEFAULT_REGION", "ap-south-1")));
        assertEquals("us-east-1", RequestSigner.region(null, Map.of()));
    }

    @Test
    void whatTheCliSignsTheServerAcceptsWithTheHostTheJdkClientSends() throws IOException {
        System.setProperty("aws.accessKeyId", "AKIDCLI");
        System.setProperty("aws.secretAccessKey", "cli-secret");
        try {
            RequestSigner signer = RequestSigner.fromCredentialChain("us-east-1").orElseThrow();
            URI uri = URI.create("http://127.0.0.1:9000/2015-03-31/functions/hello/invocations?Qualifier=live");
            byte[] body = "{\"name\":\"cli\"}".getBytes(StandardCharsets.UTF_8);
            Map<String, String> sent = signer.sign("POST", uri, Map.of("Content-Type", "application/json",
                    "X-Amz-Log-Type", "Tail"), body);
            assertTrue(sent.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Host")), sent.toString());

            Map<String, List<String>> received = new HashMap<>();
            sent.forEach((k, v) -> received.put(k.toLowerCase(Locale.ROOT), List.of(v)));
            received.put("host", List.of("127.0.0.1:9000"));  // as the JDK's HttpClient sends it
            AccessKeys keys = AccessKeys.read(Files.writeString(dir.resolve("keys"),
                    "[cli]\naws_access_key_id = AKIDCLI\naws_secret_access_key = cli-secret\n"));
            Verdict verdict = new SignatureVerifier(keys, "us-east-1", Clock.systemUTC()).verify(new ReceivedRequest(
                    "POST", "127.0.0.1:9000", uri.getRawPath(), uri.getRawQuery(), received, () -> body));
            assertEquals("AKIDCLI", assertInstanceOf(Verdict.Accepted.class, verdict).key().id());
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }
}

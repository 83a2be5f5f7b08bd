package dev.thaw.auth;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignaturePartsTest {
    private static final String HEADER = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/us-east-1/lambda/aws4_request,"
            + " SignedHeaders=content-type;Host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400";

    @Test
    void anAuthorizationHeaderGivesKeyScopeSignedHeadersAndDate() throws Exception {
        SignatureParts p = SignatureParts.fromHeader(HEADER, Optional.of("20261206T101500Z"));
        assertEquals("AKIDEXAMPLE", p.keyId());
        assertEquals("20261206", p.scopeDate());
        assertEquals("us-east-1", p.region());
        assertEquals("lambda", p.service());
        assertEquals(List.of("content-type", "host", "x-amz-date"), p.signedHeaders());
        assertEquals("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400", p.signature());
        assertEquals(Instant.parse("2026-12-06T10:15:00Z"), p.date());
        assertFalse(p.presigned());
        assertTrue(p.expires().isEmpty());
    }

    @Test
    void aHeaderWithoutItsPartsNamesEachMissingPartAsAwsDoes() {
        SignatureParts.Malformed e = assertThrows(SignatureParts.Malformed.class,
                () -> SignatureParts.fromHeader("Bearer abc", Optional.empty()));
        assertTrue(e.getMessage().startsWith("Authorization header requires 'Credential' parameter. "
                + "Authorization header requires 'Signature' parameter. "
                + "Authorization header requires 'SignedHeaders' parameter. "
                + "Authorization header requires existence of a 'X-Amz-Date' header."), e.getMessage());
    }

    @Test
    void aCredentialOfTheWrongShapeOrAnUnreadableDateIsMalformed() {
        assertTrue(assertThrows(SignatureParts.Malformed.class, () -> SignatureParts.fromHeader(
                HEADER.replace("AKIDEXAMPLE/20261206/us-east-1/lambda/aws4_request", "AKIDEXAMPLE"),
                Optional.of("20261206T101500Z"))).getMessage().contains("exactly 5 slash-delimited elements"));
        assertTrue(assertThrows(SignatureParts.Malformed.class, () -> SignatureParts.fromHeader(HEADER,
                Optional.of("2026-12-06T10:15:00Z"))).getMessage().contains("X-Amz-Date"));
        assertTrue(assertThrows(SignatureParts.Malformed.class, () -> SignatureParts.fromHeader(
                HEADER.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"), Optional.of("20261206T101500Z")))
                .getMessage().contains("algorithm"));
    }

    @Test
    void aPresignedQueryGivesItsPartsAndExpiry() throws Exception {
        Map<String, List<String>> query = Map.of(
                "X-Amz-Algorithm", List.of("AWS4-HMAC-SHA256"),
                "X-Amz-Credential", List.of("AKIDEXAMPLE/20261206/us-east-1/lambda/aws4_request"),
                "X-Amz-Date", List.of("20261206T101500Z"),
                "X-Amz-SignedHeaders", List.of("host"),
                "X-Amz-Expires", List.of("600"),
                "X-Amz-Signature", List.of("abc"));
        SignatureParts p = SignatureParts.fromQuery(query);
        assertTrue(p.presigned());
        assertEquals(Optional.of(Duration.ofMinutes(10)), p.expires());
        assertEquals(List.of("host"), p.signedHeaders());

        Map<String, List<String>> tooLong = new java.util.HashMap<>(query);
        tooLong.put("X-Amz-Expires", List.of("604801"));
        assertThrows(SignatureParts.Malformed.class, () -> SignatureParts.fromQuery(tooLong));
        Map<String, List<String>> noSignature = new java.util.HashMap<>(query);
        noSignature.remove("X-Amz-Signature");
        assertTrue(assertThrows(SignatureParts.Malformed.class, () -> SignatureParts.fromQuery(noSignature))
                .getMessage().contains("'X-Amz-Signature'"));
    }

    @Test
    void aRequestWithNeitherHeaderNorQueryCarriesNoSignature() {
        ReceivedRequest plain = new ReceivedRequest("GET", "localhost", "/2015-03-31/functions", "",
                Map.of("host", List.of("localhost")), () -> new byte[0]);
        assertThrows(SignatureParts.Missing.class, () -> SignatureParts.parse(plain, Map.of()));
    }
}

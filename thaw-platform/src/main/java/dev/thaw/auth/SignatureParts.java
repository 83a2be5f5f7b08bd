package dev.thaw.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parts of a SigV4 signature, from the {@code Authorization} header or from a presigned query
 * ({@code X-Amz-Algorithm}, {@code X-Amz-Credential}, {@code X-Amz-Date}, {@code X-Amz-SignedHeaders},
 * {@code X-Amz-Signature}, {@code X-Amz-Expires}).
 *
 * @param expires how long a presigned request stays valid after {@code date}; empty for a signed header
 */
record SignatureParts(String keyId, String scopeDate, String region, String service, List<String> signedHeaders,
                      String signature, Instant date, Optional<Duration> expires, boolean presigned) {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Duration LONGEST_PRESIGN = Duration.ofDays(7);

    /** A request that carries no signature at all: neither header nor presigned query. */
    static final class Missing extends Exception {
        Missing() {
            super("Missing Authentication Token", null, false, false);
        }
    }

    /** A signature whose parts cannot be read; the message is AWS's wording where it is known. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The signature of {@code request}, whose query parameters (decoded) are {@code query}.
     *
     * @throws Missing   when the request carries none
     * @throws Malformed when its parts cannot be read
     */
    static SignatureParts parse(ReceivedRequest request, Map<String, List<String>> query) throws Missing, Malformed {
        Optional<String> authorization = request.header("authorization");
        if (authorization.isPresent()) {
            return fromHeader(authorization.get(), request.header("x-amz-date"));
        }
        if (query.containsKey("X-Amz-Algorithm") || query.containsKey("X-Amz-Signature")) {
            return fromQuery(query);
        }
        throw new Missing();
    }

    static SignatureParts fromHeader(String header, Optional<String> amzDate) throws Malformed {
        String text = header.strip();
        int space = text.indexOf(' ');
        String algorithm = space < 0 ? text : text.substring(0, space);
        Map<String, String> fields = new LinkedHashMap<>();
        if (space > 0) {
            for (String field : text.substring(space + 1).split(",")) {
                int eq = field.indexOf('=');
                if (eq > 0) {
                    fields.put(field.substring(0, eq).strip(), field.substring(eq + 1).strip());
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (String required : List.of("Credential", "Signature", "SignedHeaders")) {
            if (fields.getOrDefault(required, "").isEmpty()) {
                missing.add("Authorization header requires '" + required + "' parameter.");
            }
        }
        if (amzDate.isEmpty()) {
            missing.add("Authorization header requires existence of a 'X-Amz-Date' header.");
        }
        if (!missing.isEmpty()) {
            throw new Malformed(String.join(" ", missing) + " Authorization=" + header);
        }
        if (!algorithm.equals(ALGORITHM)) {
            throw new Malformed("Unsupported AWS 'algorithm': '" + algorithm + "' (only " + ALGORITHM + ")");
        }
        return assemble(fields.get("Credential"), fields.get("SignedHeaders"), fields.get("Signature"),
                amzDate.get(), Optional.empty(), false);
    }

    static SignatureParts fromQuery(Map<String, List<String>> query) throws Malformed {
        List<String> missing = new ArrayList<>();
        for (String required : List.of("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                "X-Amz-SignedHeaders", "X-Amz-Date")) {
            if (first(query, required).isEmpty()) {
                missing.add("AWS query-string parameters must include '" + required + "'.");
            }
        }
        if (!missing.isEmpty()) {
            throw new Malformed(String.join(" ", missing) + " Re-examine the query-string parameters.");
        }
        String algorithm = first(query, "X-Amz-Algorithm").orElseThrow();
        if (!algorithm.equals(ALGORITHM)) {
            throw new Malformed("Unsupported AWS 'algorithm': '" + algorithm + "' (only " + ALGORITHM + ")");
        }
        Optional<Duration> expires = Optional.empty();
        Optional<String> expiresText = first(query, "X-Amz-Expires");
        if (expiresText.isPresent()) {
            try {
                Duration d = Duration.ofSeconds(Long.parseLong(expiresText.get()));
                if (d.isNegative() || d.isZero() || d.compareTo(LONGEST_PRESIGN) > 0) {
                    throw new NumberFormatException();
                }
                expires = Optional.of(d);
            } catch (NumberFormatException e) {
                throw new Malformed("X-Amz-Expires must be a number of seconds from 1 to 604800, not '"
                        + expiresText.get() + "'.");
            }
        }
        return assemble(first(query, "X-Amz-Credential").orElseThrow(),
                first(query, "X-Amz-SignedHeaders").orElseThrow(), first(query, "X-Amz-Signature").orElseThrow(),
                first(query, "X-Amz-Date").orElseThrow(), expires, true);
    }

    private static SignatureParts assemble(String credential, String signedHeaders, String signature, String amzDate,
                                           Optional<Duration> expires, boolean presigned) throws Malformed {
        String[] scope = credential.split("/", -1);
        if (scope.length != 5) {
            throw new Malformed("Credential must have exactly 5 slash-delimited elements, e.g. "
                    + "keyid/date/region/service/term, got '" + credential + "'");
        }
        if (!scope[4].equals("aws4_request")) {
            throw new Malformed("Credential should be scoped with a valid terminator: 'aws4_request', not '"
                    + scope[4] + "'.");
        }
        Instant date;
        try {
            date = AMZ_DATE.parse(amzDate, Instant::from);
        } catch (DateTimeParseException e) {
            throw new Malformed("X-Amz-Date must be in the ISO8601 basic format yyyyMMdd'T'HHmmss'Z', not '"
                    + amzDate + "'.");
        }
        List<String> headers = List.of(signedHeaders.toLowerCase(java.util.Locale.ROOT).split(";"));
        return new SignatureParts(scope[0], scope[1], scope[2], scope[3], headers, signature, date, expires,
                presigned);
    }

    private static Optional<String> first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() || values.getFirst() == null || values.getFirst().isEmpty()
                ? Optional.empty() : Optional.of(values.getFirst());
    }
}

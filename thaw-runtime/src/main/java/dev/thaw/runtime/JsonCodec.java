package dev.thaw.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Event and response (de)serialisation with the runtime's relocated Jackson, configured close to AWS's
 * Java runtime: unknown properties ignored, case-insensitive property names, null bean properties left out,
 * standard bean naming. The function's own Jackson annotations are not seen (the names are relocated),
 * which is also true on AWS.
 */
final class JsonCodec {

    private final ObjectMapper mapper = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .enable(MapperFeature.USE_STD_BEAN_NAMING)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            // Null bean properties are left out (AWS does the same); null Map entries and list items stay.
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL,
                    JsonInclude.Include.ALWAYS))
            // AWS's rules for aws-lambda-java-events classes (mix-ins by class name, Joda DateTime).
            .addModule(new AwsEventsModule())
            .build()
            .setMixInResolver(AwsEventsModule.MIX_INS);

    TypeFactory types() {
        return mapper.getTypeFactory();
    }

    /** A reader for one event type; creating it builds the type's deserializer. */
    ObjectReader eventReader(JavaType type) {
        return mapper.readerFor(type);
    }

    /** Builds (and caches) the serializer of a declared result type; a result of that class then finds it ready. */
    void prefetchSerializer(JavaType type) {
        if (!type.isJavaLangObject() && !type.hasRawClass(Void.TYPE) && !type.isAbstract()) {
            mapper.writerFor(type);
        }
    }

    /**
     * An empty payload is null. A String parameter receives the decoded text when the payload is a JSON string
     * and the raw payload otherwise, so {@code {"a":1}} arrives as that text.
     */
    Object readEvent(byte[] payload, ObjectReader reader) {
        if (isBlank(payload)) {
            return null;
        }
        JavaType type = reader.getValueType();
        try {
            if (type.hasRawClass(String.class) && !startsWithQuote(payload)) {
                return new String(payload, StandardCharsets.UTF_8);
            }
            return reader.readValue(payload);
        } catch (IOException e) {
            throw new IllegalArgumentException("An error occurred during JSON parsing of the event as " + type, e);
        }
    }

    /** Loads and exercises the parsing and writing paths on JDK types only, so the first invoke is not the first use. */
    void warmUp() {
        byte[] sample = "{\"s\":\"x\",\"n\":[1,2.5,-3],\"b\":true,\"z\":null,\"o\":{\"k\":\"v\"}}"
                .getBytes(StandardCharsets.UTF_8);
        writeResult(readEvent(sample, eventReader(types().constructType(Object.class))));
        writeResult("x");
        writeResult(null);
        // Results of the JDK's own collection classes: Jackson builds a serializer per class on first use.
        for (Object result : List.of(Map.of("k", "v"), Map.of("a", 1, "b", 2L), List.of("x"), List.of(1, 2.5, true),
                Set.of("x"), Set.of(1, 2, 3), Collections.singletonMap("k", "v"), Collections.singletonList("x"),
                Collections.emptyMap(), Collections.emptyList(), Collections.unmodifiableMap(new HashMap<>(Map.of("k",
                        "v"))), Collections.unmodifiableList(new ArrayList<>(List.of("x"))), Arrays.asList("x", "y"),
                new LinkedHashMap<>(Map.of("k", "v")), new TreeMap<>(Map.of("k", "v")), new HashSet<>(Set.of("x")),
                new BigDecimal("1.5"), BigInteger.TEN, new int[] {1}, new String[] {"x"}, 'c', 1.5f)) {
            writeResult(result);
        }
        try {
            write(mapper.readTree(sample));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** null becomes {@code null}; a String becomes a JSON string, as on AWS. */
    byte[] writeResult(Object result) {
        try {
            return mapper.writeValueAsBytes(result);
        } catch (IOException e) {
            throw new IllegalStateException("An error occurred during JSON serialization of the response", e);
        }
    }

    byte[] write(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode readTree(String json) throws IOException {
        return mapper.readTree(json);
    }

    private static boolean isBlank(byte[] payload) {
        for (byte b : payload) {
            if (!isJsonWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithQuote(byte[] payload) {
        for (byte b : payload) {
            if (!isJsonWhitespace(b)) {
                return b == '"';
            }
        }
        return false;
    }

    private static boolean isJsonWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}

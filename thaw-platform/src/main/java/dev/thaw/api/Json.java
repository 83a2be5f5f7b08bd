package dev.thaw.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ThawException;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reading request bodies: Jackson parses, and these accessors turn a missing or mistyped field into the
 * InvalidParameterValueException AWS would return, naming the field.
 */
final class Json {
    /** Strings up to a 50 MB package in base64 (Jackson's default cap is 20 MB). */
    static final ObjectMapper MAPPER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxStringLength(100_000_000).build())
            .build());

    private Json() {
    }

    static ObjectNode parseObject(byte[] body) {
        if (body.length == 0) {
            return MAPPER.createObjectNode();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                return MAPPER.createObjectNode();
            }
            if (!node.isObject()) {
                throw ThawException.invalidContent("Could not parse request body into json: expected a JSON object");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            throw ThawException.invalidContent("Could not parse request body into json: " + firstLine(e));
        }
    }

    private static String firstLine(IOException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Optional<String> text(JsonNode obj, String field) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw ThawException.invalidParameter(field + " must be a string.");
        }
        return Optional.of(n.asText());
    }

    static String requiredText(JsonNode obj, String field) {
        return text(obj, field).filter(s -> !s.isEmpty()).orElseThrow(() ->
                ThawException.invalidParameter(field + " is required."));
    }

    static Optional<Integer> integer(JsonNode obj, String field) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw ThawException.invalidParameter(field + " must be an integer.");
        }
        return Optional.of(n.asInt());
    }

    static Optional<Boolean> bool(JsonNode obj, String field) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isBoolean()) {
            throw ThawException.invalidParameter(field + " must be a boolean.");
        }
        return Optional.of(n.asBoolean());
    }

    static Optional<JsonNode> object(JsonNode obj, String field) {
        JsonNode n = obj.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            throw ThawException.invalidParameter(field + " must be an object.");
        }
        return Optional.of(n);
    }

    static Optional<Map<String, String>> stringMap(JsonNode obj, String field) {
        return object(obj, field).map(n -> {
            Map<String, String> out = new LinkedHashMap<>();
            n.properties().forEach(e -> {
                if (!e.getValue().isTextual()) {
                    throw ThawException.invalidParameter(field + "." + e.getKey() + " must be a string.");
                }
                out.put(e.getKey(), e.getValue().asText());
            });
            return out;
        });
    }
}

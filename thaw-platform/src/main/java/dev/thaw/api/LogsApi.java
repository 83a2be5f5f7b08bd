package dev.thaw.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import dev.thaw.logs.LogQueries;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The CloudWatch Logs API subset that reading needs, in its JSON protocol: {@code POST /} with
 * {@code X-Amz-Target: Logs_20140328.<Operation>} and an {@code application/x-amz-json-1.1} body. DescribeLogGroups,
 * DescribeLogStreams, GetLogEvents and FilterLogEvents; any other operation is UnknownOperationException.
 */
final class LogsApi {
    static final String TARGET_PREFIX = "Logs_20140328.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    private static final int MAX_BODY = 64 * 1024;

    private final LogQueries queries;
    private final BodyReader bodies;

    LogsApi(LogQueries queries, BodyReader bodies) {
        this.queries = queries;
        this.bodies = bodies;
    }

    void routes(HttpRouting.Builder r) {
        r.post("/", this::handle);
    }

    private void handle(ServerRequest req, ServerResponse res) {
        String target = Http.header(req, "X-Amz-Target").orElse("");
        if (!target.startsWith(TARGET_PREFIX)) {
            throw AwsErrors.unknownOperation(req);
        }
        String operation = target.substring(TARGET_PREFIX.length());
        byte[] raw = bodies.read(req, MAX_BODY, operation);
        JsonNode body = raw.length == 0 ? Json.MAPPER.createObjectNode() : Json.parseObject(raw);
        ObjectNode out = switch (operation) {
            case "DescribeLogGroups" -> describeGroups(body);
            case "DescribeLogStreams" -> describeStreams(body);
            case "GetLogEvents" -> getEvents(body);
            case "FilterLogEvents" -> filter(body);
            default -> throw new ThawException(ErrorCode.UNKNOWN_OPERATION, "Unknown operation: " + target);
        };
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        res.send(Json.bytes(out));
    }

    private ObjectNode describeGroups(JsonNode body) {
        LogQueries.Page<LogQueries.LogGroup> page = queries.describeGroups(text(body, "logGroupNamePrefix"),
                limit(body, LogQueries.MAX_DESCRIBE), text(body, "nextToken"));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode groups = out.putArray("logGroups");
        for (LogQueries.LogGroup g : page.items()) {
            ObjectNode n = groups.addObject();
            n.put("logGroupName", g.name());
            n.put("creationTime", g.creationTime());
            n.put("metricFilterCount", 0);
            n.put("arn", g.arn());
            n.put("storedBytes", g.storedBytes());
            n.put("logGroupClass", "STANDARD");
            n.put("logGroupArn", g.arn().substring(0, g.arn().length() - 2));
        }
        page.nextToken().ifPresent(t -> out.put("nextToken", t));
        return out;
    }

    private ObjectNode describeStreams(JsonNode body) {
        String orderBy = text(body, "orderBy");
        if (!orderBy.isEmpty() && !orderBy.equals("LogStreamName") && !orderBy.equals("LastEventTime")) {
            throw invalid("orderBy must be LogStreamName or LastEventTime.");
        }
        LogQueries.Page<LogQueries.LogStream> page = queries.describeStreams(group(body),
                text(body, "logStreamNamePrefix"), orderBy.equals("LastEventTime"),
                bool(body, "descending").orElse(false), limit(body, LogQueries.MAX_DESCRIBE), text(body, "nextToken"));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode streams = out.putArray("logStreams");
        for (LogQueries.LogStream s : page.items()) {
            ObjectNode n = streams.addObject();
            n.put("logStreamName", s.name());
            n.put("creationTime", s.creationTime());
            if (s.lastEventTimestamp() > 0) {
                n.put("firstEventTimestamp", s.firstEventTimestamp());
                n.put("lastEventTimestamp", s.lastEventTimestamp());
                n.put("lastIngestionTime", s.lastEventTimestamp());
            }
            n.put("arn", s.arn());
            n.put("storedBytes", s.storedBytes());
        }
        page.nextToken().ifPresent(t -> out.put("nextToken", t));
        return out;
    }

    private ObjectNode getEvents(JsonNode body) {
        String stream = text(body, "logStreamName");
        if (stream.isEmpty()) {
            throw invalid("logStreamName is required.");
        }
        LogQueries.StreamEvents page = queries.getEvents(new LogQueries.StreamRead(group(body), stream,
                time(body, "startTime").orElse(Long.MIN_VALUE), time(body, "endTime").orElse(Long.MAX_VALUE),
                limit(body, LogQueries.MAX_EVENTS), bool(body, "startFromHead").orElse(false),
                text(body, "nextToken")));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode events = out.putArray("events");
        for (LogQueries.Event e : page.events()) {
            ObjectNode n = events.addObject();
            n.put("timestamp", e.timestamp());
            n.put("message", e.message());
            n.put("ingestionTime", e.timestamp());
        }
        out.put("nextForwardToken", page.nextForwardToken());
        out.put("nextBackwardToken", page.nextBackwardToken());
        return out;
    }

    private ObjectNode filter(JsonNode body) {
        List<String> streamNames = strings(body, "logStreamNames");
        String prefix = text(body, "logStreamNamePrefix");
        if (!streamNames.isEmpty() && !prefix.isEmpty()) {
            throw invalid("logStreamNames and logStreamNamePrefix cannot both be given.");
        }
        LogQueries.Page<LogQueries.Event> page = queries.filter(new LogQueries.Filter(group(body), streamNames, prefix,
                time(body, "startTime").orElse(Long.MIN_VALUE), time(body, "endTime").orElse(Long.MAX_VALUE),
                text(body, "filterPattern"), limit(body, LogQueries.MAX_EVENTS), text(body, "nextToken")));
        ObjectNode out = Json.MAPPER.createObjectNode();
        ArrayNode events = out.putArray("events");
        for (LogQueries.Event e : page.items()) {
            ObjectNode n = events.addObject();
            n.put("logStreamName", e.stream());
            n.put("timestamp", e.timestamp());
            n.put("message", e.message());
            n.put("ingestionTime", e.timestamp());
            n.put("eventId", e.eventId());
        }
        out.putArray("searchedLogStreams");
        page.nextToken().ifPresent(t -> out.put("nextToken", t));
        return out;
    }

    /** logGroupName or logGroupIdentifier (a name or an ARN), exactly one of them. */
    private String group(JsonNode body) {
        String name = text(body, "logGroupName");
        String identifier = text(body, "logGroupIdentifier");
        if (name.isEmpty() == identifier.isEmpty()) {
            throw invalid("Exactly one of logGroupName and logGroupIdentifier is required.");
        }
        return name.isEmpty() ? queries.groupName(identifier) : name;
    }

    private static int limit(JsonNode body, int max) {
        JsonNode n = body.get("limit");
        if (n == null || n.isNull()) {
            return max;
        }
        if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > max) {
            throw invalid("limit must be between 1 and " + max + ".");
        }
        return n.asInt();
    }

    private static Optional<Long> time(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw invalid(field + " must be a non-negative number of milliseconds since the epoch.");
        }
        return Optional.of(n.asLong());
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw invalid(field + " must be a string.");
        }
        return n.asText();
    }

    private static Optional<Boolean> bool(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isBoolean()) {
            throw invalid(field + " must be a boolean.");
        }
        return Optional.of(n.asBoolean());
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray() || n.isEmpty() || n.size() > 100) {
            throw invalid(field + " must be a list of 1 to 100 names.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw invalid(field + " must hold strings.");
            }
            out.add(e.asText());
        }
        return out;
    }

    private static ThawException invalid(String message) {
        return new ThawException(ErrorCode.LOGS_INVALID_PARAMETER, message);
    }
}

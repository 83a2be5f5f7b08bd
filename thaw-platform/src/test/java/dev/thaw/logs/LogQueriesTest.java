package dev.thaw.logs;

import dev.thaw.environments.FunctionLogs;
import dev.thaw.errors.ThawException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogQueriesTest {
    @TempDir
    Path dir;

    private LogQueries queriesWithLines(int lines) {
        FunctionLogs logs = new FunctionLogs(dir);
        try (FunctionLogs.Stream a = logs.open("fn", "$LATEST", "0123456789abcdef");
             FunctionLogs.Stream b = logs.open("fn", "3", "fedcba9876543210")) {
            for (int i = 0; i < lines; i++) {
                a.append("line " + i + " of a");
                b.append("line " + i + " of b");
            }
        }
        return new LogQueries(logs, "us-east-1", "000000000000");
    }

    @Test
    void streamsAreNamedAsLambdaNamesThem() {
        LogQueries q = queriesWithLines(1);
        List<String> names = q.describeStreams("/aws/lambda/fn", "", false, false, 50, "").items().stream()
                .map(LogQueries.LogStream::name).toList();
        assertEquals(2, names.size());
        assertTrue(names.stream().anyMatch(n -> n.matches("\\d{4}/\\d{2}/\\d{2}/\\[\\$LATEST\\]0123456789abcdef[0-9a-f]{16}")),
                names.toString());
        assertTrue(names.stream().anyMatch(n -> n.matches("\\d{4}/\\d{2}/\\d{2}/\\[3\\]fedcba9876543210[0-9a-f]{16}")),
                names.toString());
    }

    @Test
    void filterPagesVisitEveryMatchingEventOnceInTimeOrder() {
        LogQueries q = queriesWithLines(25);
        List<LogQueries.Event> seen = new ArrayList<>();
        String token = "";
        for (int page = 0; page < 100; page++) {
            LogQueries.Page<LogQueries.Event> p = q.filter(new LogQueries.Filter("/aws/lambda/fn", List.of(), "",
                    Long.MIN_VALUE, Long.MAX_VALUE, "of -\"line 3 \"", 7, token));
            seen.addAll(p.items());
            if (p.nextToken().isEmpty()) {
                break;
            }
            token = p.nextToken().get();
        }
        assertEquals(48, seen.size());
        assertEquals(48, seen.stream().map(LogQueries.Event::eventId).distinct().count());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i - 1).timestamp() <= seen.get(i).timestamp());
        }
    }

    @Test
    void getEventsReadsBackwardFromTheEndByDefault() {
        LogQueries q = queriesWithLines(10);
        String stream = q.describeStreams("/aws/lambda/fn", "", false, false, 50, "").items().stream()
                .filter(s -> s.name().contains("[$LATEST]")).findFirst().orElseThrow().name();
        LogQueries.StreamEvents last = q.getEvents(new LogQueries.StreamRead("/aws/lambda/fn", stream,
                Long.MIN_VALUE, Long.MAX_VALUE, 3, false, ""));
        assertEquals(List.of("line 7 of a", "line 8 of a", "line 9 of a"),
                last.events().stream().map(LogQueries.Event::message).toList());
        LogQueries.StreamEvents before = q.getEvents(new LogQueries.StreamRead("/aws/lambda/fn", stream,
                Long.MIN_VALUE, Long.MAX_VALUE, 3, false, last.nextBackwardToken()));
        assertEquals("line 4 of a", before.events().getFirst().message());
        LogQueries.StreamEvents atEnd = q.getEvents(new LogQueries.StreamRead("/aws/lambda/fn", stream,
                Long.MIN_VALUE, Long.MAX_VALUE, 3, true, last.nextForwardToken()));
        assertTrue(atEnd.events().isEmpty());
        assertEquals(last.nextForwardToken(), atEnd.nextForwardToken());
    }

    @Test
    void onlyLambdaGroupsOfFunctionsWithLogsExist() {
        LogQueries q = queriesWithLines(1);
        for (String group : List.of("/aws/lambda/other", "/aws/lambda/../fn", "/aws/lambda/", "fn", "/aws/lambda/fn/x")) {
            assertThrows(ThawException.class, () -> q.describeStreams(group, "", false, false, 50, ""), group);
        }
        assertEquals("/aws/lambda/fn", q.groupName("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn:*"));
        LogQueries.Page<LogQueries.LogGroup> groups = q.describeGroups("/aws/lambda/", 50, "");
        assertEquals(List.of("/aws/lambda/fn"), groups.items().stream().map(LogQueries.LogGroup::name).toList());
        assertEquals(Optional.empty(), groups.nextToken());
    }

    @Test
    void filterPatternsFollowCloudWatchTermRules() {
        assertTrue(FilterPattern.parse("").matches("anything"));
        assertTrue(FilterPattern.parse("ERROR timeout").matches("ERROR: a timeout"));
        assertFalse(FilterPattern.parse("ERROR timeout").matches("ERROR only"));
        assertFalse(FilterPattern.parse("error").matches("ERROR"));
        assertTrue(FilterPattern.parse("\"Task timed out\"").matches("x Task timed out after 3 s"));
        assertTrue(FilterPattern.parse("?WARN ?ERROR").matches("WARN x"));
        assertFalse(FilterPattern.parse("?WARN ?ERROR").matches("INFO x"));
        assertFalse(FilterPattern.parse("REPORT -\"Init Duration\"").matches("REPORT x Init Duration: 3 ms"));
        assertThrows(ThawException.class, () -> FilterPattern.parse("{ $.a = 1 }"));
        assertThrows(ThawException.class, () -> FilterPattern.parse("\"unclosed"));
    }
}

package dev.thaw.logs;

import dev.thaw.environments.FunctionLogs;
import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The four CloudWatch Logs reads over {@link FunctionLogs}: DescribeLogGroups, DescribeLogStreams, GetLogEvents and
 * FilterLogEvents. Page tokens are opaque to callers and name the last item returned, so a page never repeats or
 * skips an event that was already stored when the first page was read, while new events keep arriving.
 */
public final class LogQueries {
    public static final String GROUP_PREFIX = "/aws/lambda/";
    /** CloudWatch caps one response at 1 MB of messages, whatever the limit asks. */
    static final int MAX_RESPONSE_BYTES = 1024 * 1024;
    public static final int MAX_EVENTS = 10_000;
    public static final int MAX_DESCRIBE = 50;
    private static final Comparator<FunctionLogs.StoredLine> ORDER = Comparator
            .comparingLong(FunctionLogs.StoredLine::timestamp)
            .thenComparing(FunctionLogs.StoredLine::stream)
            .thenComparingInt(FunctionLogs.StoredLine::index);

    private final FunctionLogs logs;
    private final String arnPrefix;

    public LogQueries(FunctionLogs logs, String region, String accountId) {
        this.logs = logs;
        this.arnPrefix = "arn:aws:logs:" + region + ":" + accountId + ":log-group:";
    }

    public record LogGroup(String name, String arn, long creationTime, long storedBytes) {
    }

    public record LogStream(String name, String arn, long creationTime, long firstEventTimestamp,
                            long lastEventTimestamp, long storedBytes) {
    }

    /** One log event; {@code eventId} is stable across calls, which {@code aws logs tail --follow} relies on. */
    public record Event(String stream, long timestamp, String message, String eventId) {
    }

    public record Page<T>(List<T> items, Optional<String> nextToken) {
    }

    public record StreamEvents(List<Event> events, String nextForwardToken, String nextBackwardToken) {
    }

    /** Options of FilterLogEvents; empty strings and lists mean "not given". */
    public record Filter(String group, List<String> streamNames, String streamNamePrefix, long startTime,
                         long endTime, String pattern, int limit, String nextToken) {
    }

    /** Options of GetLogEvents. */
    public record StreamRead(String group, String stream, long startTime, long endTime, int limit,
                             boolean startFromHead, String nextToken) {
    }

    public Page<LogGroup> describeGroups(String namePrefix, int limit, String nextToken) {
        String after = nextToken.isEmpty() ? "" : decode(nextToken);
        List<LogGroup> out = new ArrayList<>();
        List<String> names = logs.groups().stream().map(f -> GROUP_PREFIX + f)
                .filter(n -> n.startsWith(namePrefix) && n.compareTo(after) > 0).sorted().toList();
        for (String name : names.subList(0, Math.min(limit, names.size()))) {
            String function = name.substring(GROUP_PREFIX.length());
            out.add(new LogGroup(name, arnPrefix + name + ":*", logs.createdAt(function), logs.storedBytes(function)));
        }
        return new Page<>(out, names.size() > limit ? Optional.of(encode(out.getLast().name())) : Optional.empty());
    }

    public Page<LogStream> describeStreams(String group, String namePrefix, boolean byLastEventTime,
                                           boolean descending, int limit, String nextToken) {
        if (byLastEventTime && !namePrefix.isEmpty()) {
            throw new ThawException(ErrorCode.LOGS_INVALID_PARAMETER,
                    "Cannot order by LastEventTime with a logStreamNamePrefix.");
        }
        List<LogStream> all = new ArrayList<>();
        for (FunctionLogs.StoredStream s : streamsOf(group)) {
            if (!s.name().startsWith(namePrefix)) {
                continue;
            }
            long first = s.lines().isEmpty() ? 0 : s.lines().getFirst().timestamp();
            long last = s.lines().isEmpty() ? 0 : s.lines().getLast().timestamp();
            all.add(new LogStream(s.name(), arnPrefix + group + ":log-stream:" + s.name(), s.createdAt(), first, last,
                    s.storedBytes()));
        }
        Comparator<LogStream> order = byLastEventTime
                ? Comparator.comparingLong(LogStream::lastEventTimestamp).thenComparing(LogStream::name)
                : Comparator.comparing(LogStream::name);
        all.sort(descending ? order.reversed() : order);
        int from = nextToken.isEmpty() ? 0 : offset(nextToken);
        int to = Math.min(all.size(), from + limit);
        List<LogStream> page = from >= all.size() ? List.of() : all.subList(from, to);
        return new Page<>(page, to < all.size() ? Optional.of(encode("o:" + to)) : Optional.empty());
    }

    public StreamEvents getEvents(StreamRead q) {
        FunctionLogs.StoredStream stream = streamsOf(q.group()).stream().filter(s -> s.name().equals(q.stream()))
                .findFirst().orElseThrow(() -> new ThawException(ErrorCode.LOGS_RESOURCE_NOT_FOUND,
                        "The specified log stream does not exist."));
        List<FunctionLogs.StoredLine> lines = stream.lines().stream()
                .filter(l -> l.timestamp() >= q.startTime() && l.timestamp() < q.endTime()).toList();
        int from;
        int to;
        if (q.nextToken().startsWith("f/")) {
            from = Math.min(index(q.nextToken()), lines.size());
            to = fit(lines, from, q.limit());
        } else if (q.nextToken().startsWith("b/")) {
            to = Math.min(index(q.nextToken()), lines.size());
            from = Math.max(0, to - q.limit());
        } else if (!q.nextToken().isEmpty()) {
            throw new ThawException(ErrorCode.LOGS_INVALID_PARAMETER, "The specified nextToken is invalid.");
        } else if (q.startFromHead()) {
            from = 0;
            to = fit(lines, 0, q.limit());
        } else {
            to = lines.size();
            from = Math.max(0, to - q.limit());
        }
        List<Event> events = lines.subList(from, to).stream().map(LogQueries::event).toList();
        return new StreamEvents(events, "f/" + pad(to), "b/" + pad(from));
    }

    public Page<Event> filter(Filter q) {
        FilterPattern pattern = FilterPattern.parse(q.pattern());
        Optional<FunctionLogs.StoredLine> after = q.nextToken().isEmpty() ? Optional.empty()
                : Optional.of(position(q.nextToken()));
        List<FunctionLogs.StoredLine> matching = new ArrayList<>();
        for (FunctionLogs.StoredStream s : streamsOf(q.group())) {
            if ((!q.streamNames().isEmpty() && !q.streamNames().contains(s.name()))
                    || !s.name().startsWith(q.streamNamePrefix())) {
                continue;
            }
            for (FunctionLogs.StoredLine l : s.lines()) {
                if (l.timestamp() >= q.startTime() && l.timestamp() <= q.endTime()
                        && (after.isEmpty() || ORDER.compare(l, after.get()) > 0) && pattern.matches(l.message())) {
                    matching.add(l);
                }
            }
        }
        matching.sort(ORDER);
        int to = fit(matching, 0, q.limit());
        List<Event> events = matching.subList(0, to).stream().map(LogQueries::event).toList();
        Optional<String> next = to < matching.size()
                ? Optional.of(encode(positionOf(matching.get(to - 1)))) : Optional.empty();
        return new Page<>(events, next);
    }

    /** The streams of {@code /aws/lambda/<function>}; any other name, or a group with no logs, does not exist. */
    private List<FunctionLogs.StoredStream> streamsOf(String group) {
        String function = functionOf(group);
        if (!logs.groups().contains(function)) {
            throw new ThawException(ErrorCode.LOGS_RESOURCE_NOT_FOUND, "The specified log group does not exist.");
        }
        return logs.streams(function);
    }

    /** A log group's name from its name or its ARN ({@code arn:aws:logs:...:log-group:NAME[:*]}). */
    public String groupName(String identifier) {
        String name = identifier;
        int at = name.indexOf(":log-group:");
        if (name.startsWith("arn:") && at > 0) {
            name = name.substring(at + ":log-group:".length());
            if (name.endsWith(":*")) {
                name = name.substring(0, name.length() - 2);
            }
        }
        return name;
    }

    private static String functionOf(String group) {
        if (!group.startsWith(GROUP_PREFIX) || group.length() == GROUP_PREFIX.length()
                || group.indexOf('/', GROUP_PREFIX.length()) >= 0 || group.contains("..")) {
            throw new ThawException(ErrorCode.LOGS_RESOURCE_NOT_FOUND, "The specified log group does not exist.");
        }
        return group.substring(GROUP_PREFIX.length());
    }

    /** How many lines from {@code from} fit in one response: at most {@code limit} and about 1 MB of messages. */
    private static int fit(List<FunctionLogs.StoredLine> lines, int from, int limit) {
        int to = from;
        long bytes = 0;
        while (to < lines.size() && to - from < limit) {
            bytes += lines.get(to).message().length() + 26;
            if (bytes > MAX_RESPONSE_BYTES && to > from) {
                break;
            }
            to++;
        }
        return to;
    }

    private static Event event(FunctionLogs.StoredLine l) {
        CRC32 crc = new CRC32();
        crc.update(l.stream().getBytes(StandardCharsets.UTF_8));
        return new Event(l.stream(), l.timestamp(), l.message(),
                String.format("%020d%010d%08d", l.timestamp(), crc.getValue(), l.index()));
    }

    private static String positionOf(FunctionLogs.StoredLine l) {
        return l.timestamp() + "\n" + l.index() + "\n" + l.stream();
    }

    private static FunctionLogs.StoredLine position(String token) {
        String[] p = decode(token).split("\n", 3);
        try {
            return new FunctionLogs.StoredLine(p[2], Integer.parseInt(p[1]), Long.parseLong(p[0]), "");
        } catch (RuntimeException e) {
            throw new ThawException(ErrorCode.LOGS_INVALID_PARAMETER, "The specified nextToken is invalid.");
        }
    }

    private static int offset(String token) {
        String t = decode(token);
        try {
            return Integer.parseInt(t.substring(2));
        } catch (RuntimeException e) {
            throw new ThawException(ErrorCode.LOGS_INVALID_PARAMETER, "The specified nextToken is invalid.");
        }
    }

    private static int index(String token) {
        try {
            return Integer.parseInt(token.substring(2));
        } catch (NumberFormatException e) {
            throw new ThawException(ErrorCode.LOGS_INVALID_PARAMETER, "The specified nextToken is invalid.");
        }
    }

    /** Stream tokens look like CloudWatch's ({@code f/<digits>}, {@code b/<digits>}). */
    private static String pad(int index) {
        return String.format("%056d", index);
    }

    private static String encode(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String token) {
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ThawException(ErrorCode.LOGS_INVALID_PARAMETER, "The specified nextToken is invalid.");
        }
    }
}

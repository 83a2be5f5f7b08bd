package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import thawtest.handlers.Handlers;

class InvokePrimingTest {

    @TempDir
    Path taskRoot;

    @Test
    void sampleEventsAreTheJsonFilesOfThePrimingDirectoryInNameOrder() throws Exception {
        Path dir = Files.createDirectories(taskRoot.resolve("thaw-priming"));
        Files.writeString(dir.resolve("b.json"), "{}");
        Files.writeString(dir.resolve("a.json"), "{}");
        Files.writeString(dir.resolve("notes.txt"), "not an event");
        assertEquals(List.of(dir.resolve("a.json"), dir.resolve("b.json")), InvokePriming.sampleEvents(taskRoot));
    }

    @Test
    void aPackageWithoutThePrimingDirectoryHasNoSampleEvents() throws Exception {
        assertEquals(List.of(), InvokePriming.sampleEvents(taskRoot));
    }

    @Test
    void eachSampleEventGoesThroughTheHandlerAndAFailureIsCountedNotThrown() throws Exception {
        Path dir = Files.createDirectories(taskRoot.resolve("thaw-priming"));
        Files.writeString(dir.resolve("1.json"), "{\"name\":\"one\"}");
        Files.writeString(dir.resolve("2.json"), "{\"fail\":true}");
        LazyJsonCodec codec = new LazyJsonCodec();
        HandlerInvoker handler = new HandlerResolver(codec)
                .resolve(Handlers.class.getName() + "$Recording", getClass().getClassLoader());
        RuntimeEnvironment env = new RuntimeEnvironment("", "127.0.0.1:9", taskRoot, "snap-start", "fn", "1", 256,
                "/aws/lambda/fn", "stream");
        Handlers.Recording.SEEN.clear();

        InvokePriming.Result result = InvokePriming.replay(InvokePriming.sampleEvents(taskRoot), handler, env, codec);

        assertEquals(new InvokePriming.Result(2, 1), result);
        assertEquals(List.of("one", "fail"), Handlers.Recording.SEEN);
    }
}

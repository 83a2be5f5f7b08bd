package dev.thaw.examples.layers;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.thaw.examples.layers.greeting.Greeting;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Greets with a class that only its layer provides, and with the salutation in {@code /opt/greeting.txt} (when a
 * layer has it), a file that a later layer can replace.
 */
public class LayerUser implements RequestHandler<Map<String, String>, String> {
    @Override
    public String handleRequest(Map<String, String> event, Context context) {
        try {
            Path text = Path.of("/opt/greeting.txt");
            String salutation = Files.exists(text) ? Files.readString(text).strip() : "Hi";
            return Greeting.greet(salutation, event.getOrDefault("name", "world"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

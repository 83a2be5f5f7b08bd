package dev.thaw.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code thaw demo}, the main job: starts a platform, deploys the Spring Boot example with SnapStart, and times
 * plain cold starts (INIT) against snapshot restores of the same code.
 */
@Command(name = "demo", description = "Deploy the Spring example and compare a plain cold start with a snapshot restore.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--rounds", defaultValue = "3", description = "Cold starts of each kind (default: 3).")
    int rounds;

    @Option(names = "--runtime", defaultValue = "java17", description = "java17, java21 or java25.")
    String runtime;

    @Override
    public Integer call() throws Exception {
        Logger.getLogger("").setLevel(Level.WARNING);
        String event = "{\"httpMethod\":\"GET\",\"path\":\"/ping\",\"resource\":\"/{proxy+}\",\"headers\":"
                + "{\"Accept\":\"application/json\"},\"requestContext\":{\"stage\":\"demo\",\"identity\":{}},"
                + "\"isBase64Encoded\":false}";
        try (LocalPlatform platform = new LocalPlatform()) {
            System.out.println("thaw demo: platform up on 127.0.0.1:" + platform.port() + " (home " + platform.home()
                    + ")");
            System.out.println("thaw demo: deploying examples/spring (Spring Boot 3 + aws-serverless-java-container, "
                    + runtime + ", 1024 MB) with SnapStart and publishing version 1...");
            var v = platform.deploy("pets", "spring", "dev.thaw.examples.spring.StreamLambdaHandler", runtime, 1024,
                    true, Map.of());
            System.out.printf(Locale.ROOT, "thaw demo: version 1 Active after %.1f s (INIT + checkpoint)%n",
                    v.path("PublishMillis").asDouble() / 1000);
            List<Double> plain = new ArrayList<>();
            List<Double> restored = new ArrayList<>();
            String answer = "";
            for (int i = 0; i < rounds; i++) {
                platform.evict();
                LocalPlatform.Timed cold = platform.invoke("pets", "$LATEST", event);
                plain.add(cold.clientMillis());
                System.out.printf(Locale.ROOT, "  plain cold start  ($LATEST, INIT):    %8.1f ms  (Init Duration %.1f ms)%n",
                        cold.clientMillis(), cold.initMillis());
                platform.evict();
                LocalPlatform.Timed snap = platform.invoke("pets", "1", event);
                restored.add(snap.clientMillis());
                answer = snap.body();
                System.out.printf(Locale.ROOT, "  snapshot restore  (version 1, CRIU): %8.1f ms  (Restore Duration %.1f ms)%n",
                        snap.clientMillis(), snap.restoreMillis());
            }
            double p = median(plain);
            double s = median(restored);
            System.out.println("thaw demo: response " + answer);
            System.out.printf(Locale.ROOT, "thaw demo: median cold start %.0f ms plain, %.0f ms from the snapshot: "
                    + "%.1fx faster%n", p, s, p / s);
        }
        return 0;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}

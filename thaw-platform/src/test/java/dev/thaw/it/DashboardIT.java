package dev.thaw.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.SnapStartApplyOn;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in real headless Chromium (Debian's chromium and chromium-driver, driven by Selenium): after cold,
 * restored and warm invocations it lists the functions, an environment, the recent invocations marked by how they
 * started, and draws the latency chart. The screenshot is kept as {@code target/dashboard.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(ThawServerExtension.class)
class DashboardIT {
    private static final Path SCREENSHOT = ThawServerProcess.REPO.resolve("thaw-platform/target/dashboard.png");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    /** Given by {@link ThawServerExtension}. */
    private ThawServerProcess server;
    private LambdaClient lambda;
    private WebDriver browser;
    private Path profile;

    @BeforeAll
    void invokeAndOpenTheDashboard() throws Exception {
        Fixtures.createHello(lambda, "hello", Map.of());
        for (int i = 0; i < 3; i++) {
            lambda.invoke(b -> b.functionName("hello").payload(SdkBytes.fromUtf8String("{\"name\":\"ui\"}")));
        }
        if (ROOT) {
            Fixtures.deploy(lambda, "snappy", "hello", "dev.thaw.examples.hello.Hello", b -> b.timeout(30)
                    .snapStart(s -> s.applyOn(SnapStartApplyOn.PUBLISHED_VERSIONS)));
            lambda.waiter().waitUntilFunctionActiveV2(b -> b.functionName("snappy"));
            lambda.publishVersion(b -> b.functionName("snappy"));
            lambda.waiter().waitUntilPublishedVersionActive(b -> b.functionName("snappy").qualifier("1"));
            lambda.invoke(b -> b.functionName("snappy").qualifier("1").payload(SdkBytes.fromUtf8String("{}")));
        }
        profile = Files.createTempDirectory("thaw-dashboard-chromium-");
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--window-size=1400,1200", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.get(server.endpoint() + "/thaw/ui");
    }

    @AfterAll
    void closeTheBrowser() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var paths = Files.walk(profile)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * Waits until what {@code read} reads from the page satisfies {@code done}, and returns it; the page re-renders
     * every two seconds, so elements are read in one go and a stale one is read again.
     */
    private <T> T awaitPage(String what, Function<WebDriver, T> read, Predicate<T> done) {
        try {
            return new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class)
                    .until(d -> {
                        T value = read.apply(d);
                        return done.test(value) ? value : null;
                    });
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("the dashboard never showed " + what + "; last read: " + read.apply(browser), e);
        }
    }

    private String textOf(WebDriver d, String css) {
        List<WebElement> found = d.findElements(By.cssSelector(css));
        return found.isEmpty() ? "" : found.getFirst().getText();
    }

    @Test
    void showsFunctionsEnvironmentsInvocationsAndALatencyChart() throws Exception {
        awaitPage("hello as healthy", d -> textOf(d, "#functions tr[data-function='hello'][data-version='$LATEST']"),
                t -> t.contains("healthy"));
        awaitPage("an environment of hello", d -> d.findElements(By.cssSelector("#environments tr[data-environment]"))
                .stream().map(WebElement::getText).toList(), rows -> rows.stream().anyMatch(r -> r.contains("hello")));
        List<String> starts = awaitPage("the invocations marked by how they started",
                d -> d.findElements(By.cssSelector("#invocations tbody tr td:nth-child(3)")).stream()
                        .map(WebElement::getText).toList(),
                l -> l.contains("cold") && l.contains("warm") && (!ROOT || l.contains("restored")));
        assertEquals(ROOT ? 1 : 0, starts.stream().filter("restored"::equals).count(), starts.toString());
        assertEquals(1, starts.stream().filter("cold"::equals).count(), starts.toString());
        awaitPage("a latency chart", d -> d.findElements(By.cssSelector("#latency canvas")).stream()
                .map(c -> c.getSize().getWidth() + "x" + c.getSize().getHeight()).findFirst().orElse(""),
                size -> !size.isEmpty() && Integer.parseInt(size.split("x")[0]) > 200);
        if (ROOT) {
            awaitPage("snappy's snapshot size and restore", d -> textOf(d,
                    "#functions tr[data-function='snappy'][data-version='1']"), t -> t.contains("MB")
                    && t.contains("1 restored"));
        }
        awaitPage("the log tail", d -> textOf(d, "#log"), t -> t.contains("REPORT RequestId"));
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(SCREENSHOT) > 10_000);
    }
}

package dev.thaw.it;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code thaw server} child process on a free port with a temporary home. It records the pid of every
 * environment it has seen so {@link #close()} can prove none outlives the server, and deletes its home.
 */
public final class ThawServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("thaw: ready on http://127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern URLS = Pattern.compile("thaw: function URLs on http://127\\.0\\.0\\.1:(\\d+)");
    public static final Path REPO = Path.of(System.getProperty("thaw.repo", "..")).toAbsolutePath().normalize();

    /** How many servers (started or closed-but-killed) still use each home. */
    private static final java.util.Map<Path, java.util.concurrent.atomic.AtomicInteger> HOME_USERS =
            new ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicInteger STARTS =
            new java.util.concurrent.atomic.AtomicInteger();

    private final Process process;
    private final Path home;
    private final int port;
    private final int urlPort;
    private final Path log;
    private final Set<Long> environmentPids = ConcurrentHashMap.newKeySet();
    private volatile boolean killedHard;
    private final HttpClient http = HttpClient.newHttpClient();
    /** The key its clients and {@link #http} sign with; "test" for a server that checks no signature. */
    private volatile AwsBasicCredentials signingKey = AwsBasicCredentials.create("test", "test");
    private volatile boolean signsHttp;

    private ThawServerProcess(Process process, Path home, int port, int urlPort, Path log) {
        this.log = log;
        this.urlPort = urlPort;
        this.process = process;
        this.home = home;
        this.port = port;
    }

    public static ThawServerProcess start(String... extraArgs) {
        return startWithEnvironment(java.util.Map.of(), extraArgs);
    }

    /** Starts a server whose open-file limit is {@code maxOpenFiles} (soft and hard), through util-linux's prlimit. */
    public static ThawServerProcess startWithOpenFileLimit(int maxOpenFiles, String... extraArgs) {
        try {
            return launch(Files.createTempDirectory("thaw-it-"), java.util.Map.of(),
                    List.of("prlimit", "--nofile=" + maxOpenFiles + ":" + maxOpenFiles, "--"), extraArgs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a server with extra environment variables (for example host credentials). */
    public static ThawServerProcess startWithEnvironment(java.util.Map<String, String> env, String... extraArgs) {
        try {
            return launch(Files.createTempDirectory("thaw-it-"), env, List.of(), extraArgs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a server that accepts only the keys in {@code keysFile} ({@code --access-keys}); its SDK client and
     * {@link #http} sign with {@code id} and {@code secret}, one of them.
     */
    public static ThawServerProcess startWithAccessKeys(Path keysFile, String id, String secret, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--access-keys", keysFile.toString()));
        args.addAll(List.of(extraArgs));
        ThawServerProcess server = start(args.toArray(String[]::new));
        server.signingKey = AwsBasicCredentials.create(id, secret);
        server.signsHttp = true;
        return server;
    }

    /**
     * Starts a server on an existing home, for example the one a killed server left behind; the home is deleted
     * only when the last server using it is closed.
     */
    public static ThawServerProcess start(Path home, String... extraArgs) {
        return launch(home, java.util.Map.of(), List.of(), extraArgs);
    }

    private static ThawServerProcess launch(Path home, java.util.Map<String, String> env, List<String> prefix,
                                            String... extraArgs) {
        HOME_USERS.computeIfAbsent(home, h -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
        try {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", REPO.resolve("thaw-platform/target/thaw-platform.jar").toString(),
                    "server", "--home", home.toString(), "--port", "0", "--url-port", "0"));
            cmd.addAll(List.of(extraArgs));
            // Output goes to a file, not a pipe: the JDK closes a child's pipe when the child exits and drops
            // what a blocked reader has not read yet, which would lose the server's last lines.
            Path log = REPO.resolve("thaw-platform/target/it-logs/" + home.getFileName() + "-"
                    + STARTS.incrementAndGet() + ".log");
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String output = Files.readString(log);
                Matcher m = READY.matcher(output);
                Matcher urls = URLS.matcher(output);
                if (m.find() && urls.find()) {
                    return new ThawServerProcess(p, home, Integer.parseInt(m.group(1)),
                            Integer.parseInt(urls.group(1)), log);
                }
                if (!p.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
            p.destroyForcibly();
            throw new IllegalStateException("thaw server did not become ready:\n" + Files.readString(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The Function URL listener's port. */
    public int urlPort() {
        return urlPort;
    }

    public Path home() {
        return home;
    }

    public long pid() {
        return process.pid();
    }

    public LambdaClient lambda() {
        return LambdaClient.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(signingKey))
                .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofMinutes(3)))
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofMinutes(3))
                        .retryStrategy(software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry()))
                .build();
    }

    /**
     * Plain HTTP call, for what the SDK would not send (malformed bodies) and Thaw's own endpoints; signed with the
     * server's key when it was started with access keys.
     */
    public HttpResponse<String> http(String method, String path, String body, String... headers) {
        try {
            URI uri = endpoint().resolve(path);
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (headers.length > 0) {
                b.headers(headers);
            }
            if (signsHttp) {
                Map<String, String> named = new LinkedHashMap<>();
                for (int i = 0; i + 1 < headers.length; i += 2) {
                    named.put(headers[i], headers[i + 1]);
                }
                sign(method, uri, named, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8),
                        signingKey, Clock.systemUTC())
                        .forEach((name, value) -> {
                            if (!named.containsKey(name)) {
                                b.header(name, value);
                            }
                        });
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The headers that sign a request to {@code uri} (the SDK's SigV4 signer, service lambda, us-east-1, the body's
     * hash signed), without Host, which the JDK's client sends itself as it was signed.
     */
    public static Map<String, String> sign(String method, URI uri, Map<String, String> headers, byte[] body,
                                           AwsBasicCredentials key, Clock clock) {
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri)
                .putHeader("Host", uri.getHost() + ":" + uri.getPort());
        headers.forEach(request::putHeader);
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(SignRequest.builder(key)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, clock)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, true)
                .build()).request();
        Map<String, String> out = new LinkedHashMap<>();
        signed.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                out.put(name, values.getFirst());
            }
        });
        return out;
    }

    /**
     * Sends {@code request} as raw bytes on a new connection and returns what the server answers before it closes
     * the connection or stays silent for 10 s: for requests no HTTP client would send.
     */
    public String rawHttp(String request) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = socket.getInputStream().read(buf)) > 0) {
                    answer.write(buf, 0, n);
                    if (isCompleteResponse(answer.toString(java.nio.charset.StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException stopped) {
                // what arrived so far is the answer
            }
            return answer.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isCompleteResponse(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        Matcher m = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text.substring(0, end));
        return m.find() && text.length() - end - 4 >= Integer.parseInt(m.group(1));
    }

    /** The server process's threads, as the kernel counts them. */
    public long threads() {
        return dev.thaw.cli.ProcStats.threads(pid());
    }

    /** The server process's open file descriptors. */
    public int openFileDescriptors() {
        return dev.thaw.cli.ProcStats.openFds(pid());
    }

    /** Pids of the environments running now (also remembered for the leak check in {@link #close()}). */
    public List<Long> environmentPids() {
        return environmentPids(null);
    }

    /** Pids of one function's environments (all of them when {@code function} is null). */
    public List<Long> environmentPids(String function) {
        List<Long> pids = new ArrayList<>();
        try {
            for (var env : new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(http("GET", "/thaw/v1/environments", null).body()).path("Environments")) {
                if (function == null || function.equals(env.path("FunctionName").asText())) {
                    pids.add(env.path("Pid").asLong());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        environmentPids.addAll(pids);
        return pids;
    }

    public int evictIdle() {
        String json = http("POST", "/thaw/v1/evict", "").body();
        Matcher m = Pattern.compile("\"Evicted\":(\\d+)").matcher(json);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SdkBytes example(String module) {
        Path zip = REPO.resolve("examples/" + module + "/target/" + module + ".zip");
        try {
            return SdkBytes.fromByteArray(Files.readAllBytes(zip));
        } catch (IOException e) {
            throw new UncheckedIOException("example not built: " + zip, e);
        }
    }

    /** SIGKILL: the platform gets no chance to clean up. */
    public void kill() {
        killedHard = true;
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, wait for exit, then assert that no environment process it ever reported is still alive. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                environmentPids();
            } catch (RuntimeException notAnswering) {
                // A server that no longer answers is stopped all the same; the pids seen so far are checked.
            }
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("thaw server did not stop within 30 s of SIGTERM");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            List<Long> leaked = ProcessLeaks.survivors(environmentPids.stream()
                    .flatMap(pid -> ProcessHandle.of(pid).stream()).toList());
            leaked.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            String leftMounts = null;
            if (HOME_USERS.get(home).decrementAndGet() == 0) {
                HOME_USERS.remove(home);
                leftMounts = removePlainImages(home, killedHard);
                String leftRoot = removeRunDirectory(home, killedHard);
                leftMounts = leftMounts == null ? leftRoot : leftRoot == null ? leftMounts : leftMounts + ", " + leftRoot;
                deleteTree(home);
            }
            if (leftMounts != null) {
                throw new AssertionError("a cleanly stopped server left mounts behind: " + leftMounts);
            }
            if (!leaked.isEmpty()) {
                throw new AssertionError("environment processes outlived the server: " + leaked);
            }
        }
    }

    /**
     * The platform exposes the home's code and runtime under /run/thaw/thaw-HASH while it runs and removes them when
     * it stops. After a kill -9 they stay until the next start on that home; the test removes them instead. Returns
     * what a clean stop left behind, or null.
     */
    private static String removeRunDirectory(Path home, boolean killed) {
        Path run = dev.thaw.server.Thaw.environmentRootBase(home);
        if (!Files.exists(run)) {
            return null;
        }
        for (String exposed : List.of("code", "runtime")) {
            try {
                new ProcessBuilder("umount", "-l", run.resolve(exposed).toString()).redirectErrorStream(true)
                        .start().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var paths = Files.walk(run)) {  // empty directories and symlinks only, never followed
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return killed ? null : run.toString();
    }

    /**
     * The tmpfs of plain snapshot images is unmounted by the platform when it stops, and by its guard when it is
     * killed; whatever is left is unmounted here. Returns what a clean stop left behind, or null.
     */
    private static String removePlainImages(Path home, boolean killed) {
        Path plain = dev.thaw.server.Thaw.plainImagesMount(home);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(killed ? 5 : 0);
            boolean mounted;
            do {
                mounted = Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + plain + " ");
                if (mounted && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            } while (mounted && System.nanoTime() < deadline);
            if (!mounted && !Files.exists(plain)) {
                return null;
            }
            new ProcessBuilder("umount", "-l", plain.toString()).redirectErrorStream(true).start()
                    .waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(plain);
            return mounted && !killed ? plain.toString() : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void deleteTree(Path dir) {
        try {
            dev.thaw.io.FileTrees.delete(dir);  // never across a mount the server may have left
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e.getMessage());
        }
    }
}

package dev.thaw.it;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.thaw.cli.ThawCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import picocli.CommandLine;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.profiles.ProfileProperty;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Kubernetes manifests under deploy/kubernetes, as {@code kubectl kustomize} renders the example overlay (the
 * kubectl of Debian's kubernetes-client, or any newer one on PATH): the objects they make, the worker's privileges
 * and mounts, every Secret and ConfigMap reference, the network policy, and the API tier's arguments and probes
 * against the real {@code thaw} command line and a real server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesManifestsIT {
    private static final Path KUSTOMIZE = ThawServerProcess.REPO.resolve("deploy/kubernetes");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private List<JsonNode> objects;

    @BeforeAll
    void render() throws Exception {
        objects = kustomize(KUSTOMIZE.resolve("overlays/example"));
    }

    /** Runs {@code kubectl kustomize DIR} and reads the YAML stream it prints. */
    private static List<JsonNode> kustomize(Path dir) throws Exception {
        Path out = Files.createTempFile("thaw-kustomize-", ".yaml");
        Path err = Files.createTempFile("thaw-kustomize-", ".err");
        try {
            Process kubectl;
            try {
                kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectOutput(out.toFile())
                        .redirectError(err.toFile()).start();
            } catch (IOException missing) {
                throw new AssertionError("kubectl is not installed (scripts/setup.sh installs kubernetes-client)",
                        missing);
            }
            if (!kubectl.waitFor(60, TimeUnit.SECONDS)) {
                kubectl.destroyForcibly().waitFor();
                fail("kubectl kustomize " + dir + " did not finish in 60 s");
            }
            assertEquals(0, kubectl.exitValue(), "kubectl kustomize " + dir + ": " + Files.readString(err));
            YAMLMapper yaml = new YAMLMapper();
            List<JsonNode> rendered = new ArrayList<>();
            try (JsonParser parser = yaml.createParser(out.toFile())) {
                yaml.readValues(parser, JsonNode.class).forEachRemaining(node -> {
                    if (node != null && !node.isEmpty()) {
                        rendered.add(node);
                    }
                });
            }
            return rendered;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    private JsonNode one(String kind, String name) {
        List<JsonNode> found = ofKind(kind).stream()
                .filter(o -> name.equals(o.path("metadata").path("name").asText())).toList();
        assertEquals(1, found.size(), "one " + kind + " " + name + " in " + names());
        return found.getFirst();
    }

    private Set<String> names() {
        Set<String> names = new TreeSet<>();
        objects.forEach(o -> names.add(o.path("kind").asText() + "/" + o.path("metadata").path("name").asText()));
        return names;
    }

    /** The object of {@code kind} that a reference names (generated names carry a content hash). */
    private Optional<JsonNode> referenced(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).findFirst();
    }

    private static JsonNode podSpec(JsonNode workload) {
        return workload.path("spec").path("template").path("spec");
    }

    private static JsonNode container(JsonNode workload) {
        JsonNode containers = podSpec(workload).path("containers");
        assertEquals(1, containers.size(), "one container in " + workload.path("metadata").path("name"));
        return containers.get(0);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void rendersTheApiTierTheWorkersTheirPolicyAndTheirConfigurationInOneNamespace() {
        Set<String> kinds = new TreeSet<>();
        objects.forEach(o -> kinds.add(o.path("kind").asText()));
        assertEquals(new TreeSet<>(List.of("ConfigMap", "DaemonSet", "Deployment", "Namespace", "NetworkPolicy",
                "PodDisruptionBudget", "Secret", "Service")), kinds);
        JsonNode api = one("Deployment", "thaw-api");
        assertTrue(api.path("spec").path("replicas").asInt() >= 2, "more than one API instance");
        JsonNode budget = one("PodDisruptionBudget", "thaw-api").path("spec");
        assertTrue(matches(budget.path("selector"), api.path("spec").path("template").path("metadata").path("labels")));
        assertTrue(budget.path("minAvailable").asInt() >= 1);
        one("DaemonSet", "thaw-worker");
        one("Service", "thaw-api");
        one("NetworkPolicy", "thaw-worker-internal");
        String namespace = one("Namespace", "thaw").path("metadata").path("name").asText();
        for (JsonNode o : objects) {
            if (!o.path("kind").asText().equals("Namespace")) {
                assertEquals(namespace, o.path("metadata").path("namespace").asText(), o.path("metadata").toString());
            }
        }
    }

    @Test
    void workersArePrivilegedInTheirOwnNamespacesWithTheCapabilitiesAndMountsCriuAndTheSandboxUse() {
        JsonNode worker = one("DaemonSet", "thaw-worker");
        JsonNode pod = podSpec(worker);
        for (String hostNamespace : List.of("hostPID", "hostNetwork", "hostIPC")) {
            assertFalse(pod.path(hostNamespace).asBoolean(false), hostNamespace);
        }
        JsonNode security = container(worker).path("securityContext");
        assertTrue(security.path("privileged").asBoolean(), security.toString());
        assertTrue(texts(security.path("capabilities").path("add")).containsAll(
                List.of("SYS_ADMIN", "CHECKPOINT_RESTORE", "SYS_PTRACE", "NET_ADMIN")), security.toString());
        assertEquals("Unconfined", security.path("seccompProfile").path("type").asText());

        Map<String, JsonNode> volumes = new HashMap<>();
        pod.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
        Map<String, JsonNode> mounts = new HashMap<>();
        container(worker).path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m));
        JsonNode home = volumes.get(mounts.get("/var/lib/thaw").path("name").asText());
        assertEquals("/var/lib/thaw", home.path("hostPath").path("path").asText(), "the cache stays on the node");
        JsonNode criuRun = volumes.get(mounts.get("/run/thaw-criu").path("name").asText());
        assertEquals("Memory", criuRun.path("emptyDir").path("medium").asText(), "CRIU's kerndat cache on a tmpfs");
        assertTrue(mounts.get("/etc/thaw/secrets").path("readOnly").asBoolean());
        List<String> hostPaths = volumes.values().stream().filter(v -> v.has("hostPath"))
                .map(v -> v.path("hostPath").path("path").asText()).toList();
        assertEquals(List.of("/var/lib/thaw"), hostPaths, "no host path but the worker's home (cgroupfs comes "
                + "from the container's own cgroup namespace, not the host's tree)");
        assertTrue(container(worker).path("resources").path("requests").has("memory"));
        assertTrue(container(worker).path("resources").path("limits").has("memory"));
    }

    @Test
    void theApiTierRunsUnprivilegedAsAnotherUser() {
        JsonNode api = one("Deployment", "thaw-api");
        assertTrue(podSpec(api).path("securityContext").path("runAsNonRoot").asBoolean());
        JsonNode security = container(api).path("securityContext");
        assertFalse(security.path("privileged").asBoolean(false));
        assertFalse(security.path("allowPrivilegeEscalation").asBoolean(true));
        assertEquals(List.of("ALL"), texts(security.path("capabilities").path("drop")));
        assertTrue(container(api).path("resources").path("requests").has("cpu"));
        assertTrue(container(api).path("resources").path("requests").has("memory"));
    }

    @Test
    void everySecretAndConfigMapReferenceNamesAKeyThatIsDeclared() {
        int references = 0;
        for (JsonNode workload : List.of(one("Deployment", "thaw-api"), one("DaemonSet", "thaw-worker"))) {
            String where = workload.path("metadata").path("name").asText();
            JsonNode pod = podSpec(workload);
            Set<String> volumeNames = new HashSet<>();
            for (JsonNode volume : pod.path("volumes")) {
                volumeNames.add(volume.path("name").asText());
                if (volume.has("secret")) {
                    JsonNode secret = requireObject("Secret", volume.path("secret").path("secretName").asText(), where);
                    for (JsonNode item : volume.path("secret").path("items")) {
                        requireKey(secret, item.path("key").asText(), where);
                        references++;
                    }
                }
                if (volume.has("configMap")) {
                    JsonNode map = requireObject("ConfigMap", volume.path("configMap").path("name").asText(), where);
                    for (JsonNode item : volume.path("configMap").path("items")) {
                        requireKey(map, item.path("key").asText(), where);
                        references++;
                    }
                }
            }
            for (JsonNode mount : container(workload).path("volumeMounts")) {
                assertTrue(volumeNames.contains(mount.path("name").asText()), where + " mounts " + mount);
            }
            for (JsonNode env : container(workload).path("env")) {
                for (String kind : List.of("Secret", "ConfigMap")) {
                    JsonNode ref = env.path("valueFrom").path(kind.equals("Secret") ? "secretKeyRef" : "configMapKeyRef");
                    if (!ref.isMissingNode()) {
                        requireKey(requireObject(kind, ref.path("name").asText(), where), ref.path("key").asText(),
                                where + " " + env.path("name").asText());
                        references++;
                    }
                }
            }
            assertTrue(container(workload).path("envFrom").isMissingNode(), where + ": name each variable");
        }
        assertTrue(references >= 15, references + " references checked");
    }

    private JsonNode requireObject(String kind, String name, String where) {
        return referenced(kind, name).orElseThrow(() -> new AssertionError(
                where + " refers to " + kind + " " + name + ", which is not among " + names()));
    }

    private static void requireKey(JsonNode object, String key, String where) {
        assertTrue(object.path("data").has(key), where + " refers to key " + key + " of "
                + object.path("metadata").path("name").asText() + ", which has " + texts(fieldNames(object.path("data"))));
    }

    private static JsonNode fieldNames(JsonNode node) {
        com.fasterxml.jackson.databind.node.ArrayNode names = new YAMLMapper().createArrayNode();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * A container's environment as Kubernetes would set it: literal values, ConfigMap and (decoded) Secret values;
     * a field of the pod (its address) as a sample value.
     */
    private Map<String, String> environment(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : container.path("env")) {
            JsonNode from = e.path("valueFrom");
            String value;
            if (e.has("value")) {
                value = e.path("value").asText();
            } else if (from.has("configMapKeyRef")) {
                JsonNode ref = from.path("configMapKeyRef");
                value = requireObject("ConfigMap", ref.path("name").asText(), "env").path("data")
                        .path(ref.path("key").asText()).asText();
            } else if (from.has("secretKeyRef")) {
                JsonNode ref = from.path("secretKeyRef");
                value = secretValue(requireObject("Secret", ref.path("name").asText(), "env"),
                        ref.path("key").asText());
            } else if (from.path("fieldRef").path("fieldPath").asText().equals("status.podIP")) {
                value = "192.0.2.10";
            } else {
                throw new AssertionError("no value for " + e);
            }
            env.put(e.path("name").asText(), value);
        }
        return env;
    }

    private static String secretValue(JsonNode secret, String key) {
        String encoded = secret.path("data").path(key).asText().replaceAll("\\s", "");
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    /** The container's arguments with each $(VAR) replaced as the kubelet does; a VAR it does not declare fails. */
    private List<String> expandedArguments(JsonNode container) {
        Map<String, String> env = environment(container);
        List<String> out = new ArrayList<>();
        for (String arg : texts(container.path("args"))) {
            Matcher m = VARIABLE.matcher(arg);
            StringBuilder expanded = new StringBuilder();
            while (m.find()) {
                String value = env.get(m.group(1));
                assertNotNull(value, arg + " uses $(" + m.group(1) + "), which the container does not declare "
                        + "(the kubelet would pass it on literally)");
                m.appendReplacement(expanded, Matcher.quoteReplacement(value));
            }
            m.appendTail(expanded);
            out.add(expanded.toString());
        }
        return out;
    }

    @Test
    void everyVariableInAContainersArgumentsIsOneItDeclares() {
        for (JsonNode workload : List.of(one("Deployment", "thaw-api"), one("DaemonSet", "thaw-worker"))) {
            List<String> args = expandedArguments(container(workload));
            args.forEach(a -> assertFalse(VARIABLE.matcher(a).find(), a));
        }
        List<String> worker = expandedArguments(container(one("DaemonSet", "thaw-worker")));
        assertEquals("worker", worker.getFirst());
        assertTrue(worker.contains("--advertise=192.0.2.10:9100"), worker.toString());
    }

    /** {@code thaw ARGS} parsed by the real command line of the {@code thaw} launcher. */
    private static CommandLine.ParseResult parse(List<String> args) {
        CommandLine thaw = new CommandLine(new ThawCli());
        thaw.setUnmatchedArgumentsAllowed(true);
        CommandLine.ParseResult parsed = thaw.parseArgs(args.toArray(String[]::new));
        assertTrue(parsed.hasSubcommand(), "a subcommand: " + args);
        CommandLine.ParseResult sub = parsed.subcommand();
        assertEquals(List.of(), sub.unmatched(), "arguments that `thaw " + args.getFirst()
                + "` does not take, in " + args);
        return sub;
    }

    private static int containerPort(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (name.equals(p.path("name").asText())) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no container port named " + name + " in " + container.path("ports"));
    }

    @Test
    void theApiTiersArgumentsAreOptionsOfTheRealThawServerCommandAndAgreeWithItsPorts() {
        JsonNode api = one("Deployment", "thaw-api");
        JsonNode container = container(api);
        CommandLine.ParseResult server = parse(expandedArguments(container));
        assertEquals("server", server.commandSpec().name());
        assertEquals("0.0.0.0", server.matchedOptionValue("--host", ""));
        assertTrue(server.hasMatchedOption("--access-keys"), "listening beyond loopback needs access keys");
        assertEquals(containerPort(container, "api"), (int) server.matchedOptionValue("--port", -1));
        assertEquals(containerPort(container, "urls"), (int) server.matchedOptionValue("--url-port", -1));
        int metrics = server.matchedOptionValue("--metrics-port", -1);
        assertEquals(containerPort(container, "metrics"), metrics);
        JsonNode annotations = api.path("spec").path("template").path("metadata").path("annotations");
        assertEquals("true", annotations.path("prometheus.io/scrape").asText());
        assertEquals(Integer.toString(metrics), annotations.path("prometheus.io/port").asText());
        assertEquals("/metrics", annotations.path("prometheus.io/path").asText());
        assertEquals(Path.of("/etc/thaw/secrets/access-keys"), server.matchedOptionValue("--access-keys", Path.of("")));
        assertTrue(container.path("volumeMounts").findValuesAsText("mountPath").contains("/etc/thaw/secrets"));

        JsonNode service = one("Service", "thaw-api");
        assertEquals(api.path("spec").path("selector").path("matchLabels"), service.path("spec").path("selector"));
        Set<String> targets = new TreeSet<>();
        service.path("spec").path("ports").forEach(p -> {
            containerPort(container, p.path("targetPort").asText());
            targets.add(p.path("targetPort").asText());
        });
        assertEquals(new TreeSet<>(List.of("api", "urls", "metrics")), targets);
    }

    @Test
    void theWorkersArgumentsAreOptionsOfTheRealThawWorkerCommandAndAgreeWithItsPort() {
        JsonNode container = container(one("DaemonSet", "thaw-worker"));
        CommandLine.ParseResult worker = parse(expandedArguments(container));
        assertEquals("worker", worker.commandSpec().name());
        String listen = worker.matchedOptionValue("--listen", "");
        assertEquals(Integer.toString(containerPort(container, "internal")), listen.substring(listen.lastIndexOf(':') + 1));
        assertEquals(Path.of("/etc/thaw/secrets/cluster-token"), worker.matchedOptionValue("--cluster-token-file", Path.of("")));
        assertEquals(Path.of("/etc/thaw/secrets/snapshot-key"), worker.matchedOptionValue("--snapshot-key-file", Path.of("")));
        assertTrue(worker.hasMatchedOption("--object-store"), "workers read code and images from the shared store");
    }

    @Test
    void onlyTheApiTierReachesTheWorkersInternalPort() {
        JsonNode worker = one("DaemonSet", "thaw-worker");
        JsonNode apiPods = one("Deployment", "thaw-api").path("spec").path("template").path("metadata").path("labels");
        JsonNode workerPods = worker.path("spec").path("template").path("metadata").path("labels");
        JsonNode policy = one("NetworkPolicy", "thaw-worker-internal").path("spec");
        assertTrue(matches(policy.path("podSelector"), workerPods), "the policy selects the workers");
        assertFalse(matches(policy.path("podSelector"), apiPods));
        assertTrue(texts(policy.path("policyTypes")).contains("Ingress"));
        assertEquals(1, policy.path("ingress").size(), policy.toString());
        JsonNode rule = policy.path("ingress").get(0);
        assertEquals(1, rule.path("from").size(), rule.toString());
        JsonNode from = rule.path("from").get(0);
        assertFalse(from.has("ipBlock") || from.has("namespaceSelector"), "pods of this namespace only: " + from);
        assertTrue(matches(from.path("podSelector"), apiPods), "the API tier may connect");
        assertFalse(matches(from.path("podSelector"), workerPods), "workers (and the functions in them) may not");
        int internal = containerPort(container(worker), "internal");
        assertEquals(List.of(internal), rule.path("ports").findValues("port").stream().map(JsonNode::asInt).toList());
        assertTrue(texts(container(worker).path("args")).contains("--listen=0.0.0.0:" + internal));
    }

    /** A label selector's matchLabels against a pod's labels. */
    private static boolean matches(JsonNode selector, JsonNode labels) {
        JsonNode wanted = selector.path("matchLabels");
        assertFalse(wanted.isEmpty(), "a selector with labels: " + selector);
        for (Map.Entry<String, JsonNode> e : wanted.properties()) {
            if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theApiTiersProbesAnswerWithoutASignatureOnARealServerWithTheExampleAccessKeys() throws Exception {
        JsonNode api = container(one("Deployment", "thaw-api"));
        Set<String> paths = new TreeSet<>();
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            JsonNode get = api.path(probe).path("httpGet");
            assertFalse(get.isMissingNode(), probe + " is an HTTP GET");
            assertEquals(containerPort(api, "api"), containerPort(api, get.path("port").asText()));
            paths.add(get.path("path").asText());
        }
        assertEquals(1, paths.size(), paths.toString());
        JsonNode worker = container(one("DaemonSet", "thaw-worker"));
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertEquals("internal", worker.path(probe).path("tcpSocket").path("port").asText(), probe);
        }

        // The example's access keys, as the Secret holds them, are a keys file the server accepts; with them it
        // refuses unsigned requests, but the probes' path answers the kubelet, which signs nothing.
        JsonNode secret = requireObject("Secret", one("Deployment", "thaw-api").path("spec").path("template")
                .path("spec").path("volumes").findValue("secretName").asText(), "probe");
        Path work = Files.createTempDirectory("thaw-k8s-keys-");
        try {
            Path keys = Files.writeString(work.resolve("access-keys"), secretValue(secret, "access-keys"));
            Files.setPosixFilePermissions(keys, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Profile first = ProfileFile.builder().content(keys).type(ProfileFile.Type.CREDENTIALS).build()
                    .profiles().values().iterator().next();
            try (ThawServerProcess server = ThawServerProcess.startWithAccessKeys(keys,
                    first.property(ProfileProperty.AWS_ACCESS_KEY_ID).orElseThrow(),
                    first.property(ProfileProperty.AWS_SECRET_ACCESS_KEY).orElseThrow());
                 HttpClient http = HttpClient.newHttpClient()) {
                URI endpoint = server.endpoint();
                HttpResponse<String> probe = http.send(HttpRequest.newBuilder(endpoint.resolve(paths.iterator().next()))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, probe.statusCode(), probe.body());
                HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(
                        endpoint.resolve("/2015-03-31/functions/")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, unsigned.statusCode(), "the keys are in force: " + unsigned.body());
            }
        } finally {
            dev.thaw.io.FileTrees.delete(work);
        }
    }

    @Test
    void theBaseRendersOnItsOwnWithThePlaceholdersAnOverlayReplaces() throws Exception {
        List<JsonNode> base = kustomize(KUSTOMIZE.resolve("base"));
        Set<String> kinds = new TreeSet<>();
        base.forEach(o -> kinds.add(o.path("kind").asText()));
        assertEquals(new TreeSet<>(List.of("ConfigMap", "DaemonSet", "Deployment", "NetworkPolicy",
                "PodDisruptionBudget", "Service")), kinds,
                "the base declares no Secret: each deployment brings its own");
        JsonNode baseConfig = base.stream().filter(o -> o.path("kind").asText().equals("ConfigMap")).findFirst()
                .orElseThrow();
        JsonNode exampleConfig = ofKind("ConfigMap").getFirst();
        assertEquals(texts(fieldNames(baseConfig.path("data"))), texts(fieldNames(exampleConfig.path("data"))),
                "the overlay merges over the base's keys and adds none");
        assertFalse(baseConfig.path("data").equals(exampleConfig.path("data")), "the overlay sets its own values");
    }
}

package io.collateralrisk.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Prometheus server (Debian's {@code prometheus} binary) on a free loopback port, with its
 * own storage directory, for tests: started on a configuration file, queried over the HTTP API,
 * stopped and its storage removed on {@link #close()}.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final int port;
    private final Path storage;
    private final Path log;
    /** A copy of the configuration that goes with the server, or null. */
    private Path configCopy;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, int port, Path storage, Path log) {
        this.process = process;
        this.port = port;
        this.storage = storage;
        this.log = log;
    }

    /**
     * Starts Prometheus on a temporary copy of the committed configuration ({@code
     * dashboards/prometheus}, its rules included) scraping {@code targets} ({@code host:port}), with
     * every interval shortened to 1 s so that a test sees rates and recording rules within seconds.
     * Alerts go to the first target, not to an Alertmanager this machine may run. The copy is
     * removed on {@link #close()}.
     */
    public static PrometheusServer startOnCommittedConfig(DashboardFiles files, List<String> targets) throws IOException {
        Path copy = Files.createTempDirectory("risk-prometheus-config-");
        try (Stream<Path> walk = Files.walk(files.prometheusDir())) {
            for (Path p : walk.toList()) {
                Path target = copy.resolve(files.prometheusDir().relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        Path config = copy.resolve("prometheus.yml");
        String yml = Files.readString(config)
                .replace("scrape_interval: 15s", "scrape_interval: 1s")
                .replace("scrape_timeout: 10s", "scrape_timeout: 1s")
                .replace("evaluation_interval: 15s", "evaluation_interval: 1s")
                .replace("refresh_interval: 30s", "refresh_interval: 1s")
                .replace("\"127.0.0.1:9093\"", "\"" + targets.get(0) + "\"");
        if (!yml.contains("scrape_interval: 1s") || !yml.contains("evaluation_interval: 1s") || yml.contains("9093")) {
            throw new IllegalStateException("prometheus.yml no longer has the intervals or the Alertmanager this rewrites:\n" + yml);
        }
        Files.writeString(config, yml);
        String quoted = targets.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "));
        Files.writeString(copy.resolve("targets/flink.json"),
                "[{\"targets\": [" + quoted + "], \"labels\": {\"deployment\": \"test\"}}]\n");
        try {
            PrometheusServer server = start(config);
            server.configCopy = copy;
            return server;
        } catch (IOException | RuntimeException e) {
            deleteTree(copy);
            throw e;
        }
    }

    /** Starts Prometheus on the configuration and waits until it is ready (at most 60 s). */
    public static PrometheusServer start(Path config) throws IOException {
        int port = freePort();
        Path storage = Files.createTempDirectory("risk-prometheus-data-");
        Path log = storage.resolveSibling(storage.getFileName() + ".log");
        Process p = new ProcessBuilder(
                "prometheus",
                "--config.file=" + config.toAbsolutePath(),
                "--storage.tsdb.path=" + storage,
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-lifecycle",
                "--log.level=warn")
                .directory(config.toAbsolutePath().getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        PrometheusServer server = new PrometheusServer(p, port, storage, log);
        try {
            server.await(Duration.ofSeconds(60), server::ready, "Prometheus ready");
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read the log: " + e.getMessage() + ")";
        }
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("Prometheus exited with " + process.exitValue() + ":\n" + log());
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/-/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Evaluates an instant query now; returns the API's {@code data} object ({@code resultType},
     * {@code result}). Throws with Prometheus's error when the query is refused.
     */
    public JsonNode query(String expr) {
        String body = "query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/api/v1/query"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = JSON.readTree(r.body());
            if (!"success".equals(json.path("status").asText())) {
                throw new IllegalArgumentException("query refused (" + json.path("errorType").asText() + "): "
                        + json.path("error").asText() + "\n  " + expr);
            }
            return json.path("data");
        } catch (IOException e) {
            throw new UncheckedIOException("query failed: " + expr, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The number of series (or 1 for a scalar) an instant query returns now. */
    public int count(String expr) {
        JsonNode data = query(expr);
        JsonNode result = data.path("result");
        return "scalar".equals(data.path("resultType").asText()) || "string".equals(data.path("resultType").asText())
                ? 1 : result.size();
    }

    /** Names of the rule groups whose last evaluation failed, with the error. */
    public List<String> ruleErrors() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/api/v1/rules"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = JSON.readTree(r.body());
            return json.path("data").path("groups").findParents("health").stream()
                    .filter(rule -> !"ok".equals(rule.path("health").asText()) && !"unknown".equals(rule.path("health").asText()))
                    .map(rule -> rule.path("name").asText() + ": " + rule.path("lastError").asText())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Polls the condition every 500 ms until it holds or the time is up. */
    public void await(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "\nPrometheus log:\n" + log());
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(storage);
        if (configCopy != null) {
            deleteTree(configCopy);
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temporary file
        }
    }

    /** A free TCP port on the loopback interface (free when asked; good enough for a test). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort for a temporary directory
        }
    }
}

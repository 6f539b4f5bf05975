package io.collateralrisk.jobs.demo;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.FileUtils;

/**
 * The demo's metrics: Flink's Prometheus reporter on a range of free loopback ports, and a real
 * Prometheus (Debian's, installed by {@code bin/ensure-prometheus} when missing) on a free port,
 * loading the committed configuration and rules of {@code dashboards/prometheus/} from a copy in the
 * demo's directory whose targets file lists the reporter's ports.
 */
final class DemoPrometheus implements AutoCloseable {

    /** Ports the reporter may take, one per Flink process; the MiniCluster has one. */
    static final int REPORTER_PORTS = 10;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int port;
    private final Path log;

    private DemoPrometheus(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Sets the reporter up on {@code firstPort} and the ports after it. */
    static void configureReporter(Configuration conf, int firstPort) {
        conf.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        conf.setString("metrics.reporter.prom.port", firstPort + "-" + (firstPort + REPORTER_PORTS - 1));
        // Otherwise the reporter turns BTC-USD into BTCUSD and le="0.5" into 05.
        conf.setString("metrics.reporter.prom.filterLabelValueCharacters", "false");
    }

    /** The ports of the range on which Flink's reporter answers (waits up to 30 s for one). */
    static List<Integer> reporterPorts(int firstPort) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<Integer> open = new ArrayList<>();
            for (int p = firstPort; p < firstPort + REPORTER_PORTS; p++) {
                if (isFlinkReporter(p)) {
                    open.add(p);
                }
            }
            if (!open.isEmpty() || System.nanoTime() > deadline) {
                return open;
            }
            Thread.sleep(500);
        }
    }

    private static boolean isFlinkReporter(int port) throws InterruptedException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("flink_");
        } catch (IOException e) {
            return false;
        }
    }

    /** The repository's {@code dashboards/} folder: from {@code -Drisk.home} (bin/risk), else above the working directory. */
    static Path dashboardsDir() {
        String home = System.getProperty("risk.home");
        if (home != null && Files.isRegularFile(Path.of(home, "dashboards", "prometheus", "prometheus.yml"))) {
            return Path.of(home, "dashboards").toAbsolutePath();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("dashboards/prometheus/prometheus.yml"))) {
                return dir.resolve("dashboards");
            }
        }
        throw new IllegalStateException("no dashboards/prometheus/prometheus.yml above " + Path.of("").toAbsolutePath());
    }

    /**
     * Makes sure the {@code prometheus} binary is there ({@code bin/ensure-prometheus}), copies the
     * configuration to {@code workDir/prometheus} with the targets, and starts Prometheus on a free
     * port with its storage in {@code workDir/prometheus-data} (both replaced on each run). The
     * install's output is appended to {@code installLog} (the terminal when null).
     */
    static DemoPrometheus start(Path dashboards, Path workDir, List<Integer> reporterPorts, Path installLog)
            throws IOException, InterruptedException {
        Path ensure = dashboards.getParent().resolve("bin/ensure-prometheus");
        if (!installed() && Files.isExecutable(ensure)) {
            ProcessBuilder install = new ProcessBuilder(ensure.toString()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (installLog == null) {
                install.inheritIO();
            } else {
                install.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(installLog.toFile()));
            }
            if (install.start().waitFor() != 0) {
                throw new IllegalStateException("bin/ensure-prometheus failed: Prometheus is not installed"
                        + (installLog == null ? "" : "; see " + installLog));
            }
        }
        Path config = workDir.resolve("prometheus");
        Path storage = workDir.resolve("prometheus-data");
        FileUtils.deleteDirectory(config.toFile());
        FileUtils.deleteDirectory(storage.toFile());
        copyTree(dashboards.resolve("prometheus"), config);
        String targets = reporterPorts.stream().map(p -> "\"127.0.0.1:" + p + "\"").collect(Collectors.joining(", "));
        Files.writeString(config.resolve("targets/flink.json"),
                "[{\"targets\": [" + targets + "], \"labels\": {\"deployment\": \"demo\"}}]\n");
        int port = freePort();
        Path log = workDir.resolve("prometheus.log");
        Process process = new ProcessBuilder(
                "prometheus",
                "--config.file=" + config.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + storage,
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
                .directory(config.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        // Ctrl-C on a demo kept running: Prometheus goes with it.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "demo-prometheus-stop"));
        DemoPrometheus prometheus = new DemoPrometheus(process, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!prometheus.ready()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                prometheus.close();
                throw new IllegalStateException("Prometheus did not start; see " + log);
            }
            Thread.sleep(500);
        }
        return prometheus;
    }

    private boolean ready() throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/-/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Whether the {@code prometheus} binary is on the PATH. */
    static boolean installed() {
        return onPath("prometheus");
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, command)));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

}

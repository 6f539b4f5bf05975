package io.collateralrisk.dashboards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the monitoring files live in a checkout: {@code dashboards/} with {@code prometheus/},
 * {@code alertmanager/} and {@code grafana/}. Found from the system property
 * {@code risk.dashboards.dir}, else by walking up from the working directory (a module's base
 * directory under Maven) to the repository root.
 */
public record DashboardFiles(Path root) {

    /** Locates the {@code dashboards/} directory of this checkout. */
    public static DashboardFiles locate() {
        String configured = System.getProperty("risk.dashboards.dir");
        if (configured != null && !configured.isBlank()) {
            return of(Path.of(configured));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isDashboards(dir)) {
                return new DashboardFiles(dir);
            }
            if (isDashboards(dir.resolve("dashboards"))) {
                return new DashboardFiles(dir.resolve("dashboards"));
            }
        }
        throw new IllegalStateException("no dashboards/prometheus/prometheus.yml above "
                + Path.of("").toAbsolutePath() + "; set -Drisk.dashboards.dir");
    }

    public static DashboardFiles of(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!isDashboards(abs)) {
            throw new IllegalArgumentException(abs + " holds no prometheus/prometheus.yml");
        }
        return new DashboardFiles(abs);
    }

    private static boolean isDashboards(Path dir) {
        return Files.isRegularFile(dir.resolve("prometheus/prometheus.yml"));
    }

    public Path repositoryRoot() {
        return root.getParent();
    }

    public Path prometheusDir() {
        return root.resolve("prometheus");
    }

    public Path prometheusConfig() {
        return prometheusDir().resolve("prometheus.yml");
    }

    public Path recordingRules() {
        return prometheusDir().resolve("rules/recording.yml");
    }

    public Path alertingRules() {
        return prometheusDir().resolve("rules/alerts.yml");
    }

    public List<Path> ruleFiles() {
        return List.of(recordingRules(), alertingRules());
    }

    /** The {@code promtool test rules} files. */
    public List<Path> ruleTests() {
        return list(prometheusDir().resolve("tests"), ".yml");
    }

    public Path alertmanagerConfig() {
        return root.resolve("alertmanager/alertmanager.yml");
    }

    public Path grafanaDashboardsDir() {
        return root.resolve("grafana/dashboards");
    }

    /** The generated dashboard JSON files. */
    public List<Path> grafanaDashboards() {
        return list(grafanaDashboardsDir(), ".json");
    }

    public Path grafanaSourceDir() {
        return root.resolve("grafana/src");
    }

    public Path grafanaProvisioningDir() {
        return root.resolve("grafana/provisioning");
    }

    public Path runbook() {
        return root.resolve("RUNBOOK.md");
    }

    /** {@code bin/ensure-prometheus}: installs promtool, amtool and the servers when missing. */
    public Path ensurePrometheusScript() {
        return repositoryRoot().resolve("bin/ensure-prometheus");
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.collateralrisk.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed dashboard JSON is what the TypeScript sources in grafana/src generate: the test
 * copies the sources into target/, runs {@code npm ci} (pinned by package-lock.json), the strict
 * TypeScript check and the build, and compares the output with grafana/dashboards byte for byte.
 * Needs node and npm (on every machine of this project); {@code -Drisk.skipDashboardBuild=true}
 * skips it on a machine without them. Also checks the provisioning files against the dashboards.
 */
class GrafanaDashboardsTest {

    private static final YAMLMapper YAML = new YAMLMapper();
    private final DashboardFiles files = DashboardFiles.locate();

    @Test
    void committedJsonIsWhatTheTypeScriptSourcesGenerate() throws IOException {
        if (Boolean.getBoolean("risk.skipDashboardBuild")) {
            System.out.println("risk.skipDashboardBuild=true: the dashboards are not rebuilt");
            return;
        }
        Path work = Path.of("target/grafana-build").toAbsolutePath();
        PrometheusServer.deleteTree(work);
        Files.createDirectories(work);
        try (Stream<Path> sources = Files.list(files.grafanaSourceDir())) {
            for (Path s : sources.filter(Files::isRegularFile).toList()) {
                Files.copy(s, work.resolve(s.getFileName()));
            }
        }
        Path out = work.resolve("out");
        run(work, 900, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error");
        run(work, 600, "npx", "--no-install", "tsc", "-p", "tsconfig.json", "--strict", "--noEmit");
        run(work, 600, "npx", "--no-install", "tsc", "-p", "tsconfig.json");
        run(work, 300, "node", "build/main.js", out.toString());

        List<Path> committed = files.grafanaDashboards();
        try (Stream<Path> generated = Files.list(out)) {
            assertThat(generated.map(p -> p.getFileName().toString()).sorted().toList())
                    .as("generated dashboards")
                    .containsExactlyElementsOf(committed.stream().map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (Path c : committed) {
            assertThat(Files.readString(out.resolve(c.getFileName())))
                    .as(c.getFileName() + " differs from what grafana/src generates: run `npm ci && npm run build` in "
                            + "dashboards/grafana/src and commit the JSON")
                    .isEqualTo(Files.readString(c));
        }
    }

    @Test
    void tsconfigIsStrict() throws IOException {
        JsonNode tsconfig = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(files.grafanaSourceDir().resolve("tsconfig.json").toFile());
        assertThat(tsconfig.path("compilerOptions").path("strict").asBoolean()).isTrue();
    }

    @Test
    void provisioningPointsAtThePinnedDatasourceAndTheDashboards() throws IOException {
        JsonNode ds = YAML.readTree(files.grafanaProvisioningDir().resolve("datasources/prometheus.yml").toFile());
        assertThat(ds.path("apiVersion").asInt()).isEqualTo(1);
        JsonNode source = ds.path("datasources").get(0);
        assertThat(source.path("uid").asText()).isEqualTo("risk-prometheus");
        assertThat(source.path("type").asText()).isEqualTo("prometheus");
        assertThat(source.path("url").asText()).startsWith("http");

        JsonNode providers = YAML.readTree(files.grafanaProvisioningDir().resolve("dashboards/risk.yml").toFile());
        JsonNode provider = providers.path("providers").get(0);
        assertThat(provider.path("type").asText()).isEqualTo("file");
        assertThat(provider.path("options").path("path").asText()).isNotBlank();

        for (Path d : files.grafanaDashboards()) {
            String json = Files.readString(d);
            assertThat(json).as(d + " names only the pinned datasource")
                    .doesNotContain("\"uid\": \"${DS", "\"uid\": \"prometheus\"");
            JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            assertThat(root.path("uid").asText()).startsWith("risk-");
            assertThat(root.path("tags").toString()).contains("collateral-risk");
        }
    }

    private static void run(Path dir, long timeoutSeconds, String... command) {
        PrometheusTools.Result r = PrometheusTools.run(dir, timeoutSeconds, command);
        assertThat(r.ok()).as(r.describe()).isTrue();
    }
}

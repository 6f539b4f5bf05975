package io.collateralrisk.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The plumbing of {@code bin/risk bench latency}: a broker process, the live job, a small book,
 * one short scenario, and the JSON it prints. Latency figures are never asserted: they measure
 * the machine.
 */
class BenchLatencyCommandTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = RiskCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aTinyScenarioPrintsOneJsonObjectWithMeasuredTicks() throws Exception {
        Run r = run("bench", "latency", "--quick", "--json", "--scenarios", "bursting", "--out-of-order", "0s",
                "--delivery", "at-least-once", "--facilities", "40", "--pairs", "2", "--rate", "40",
                "--warmup", "1", "--duration", "3");
        assertThat(r.exit()).as(r.err()).isZero();

        JsonNode root = Json.mapper().readTree(r.out());
        assertThat(root.get("cores").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(root.get("scenarios")).hasSize(1);
        JsonNode s = root.get("scenarios").get(0);
        assertThat(s.get("name").asText()).isEqualTo("bursting");
        assertThat(s.get("outOfOrderMs").asLong()).isZero();
        assertThat(s.get("delivery").asText()).isEqualTo("at-least-once");
        assertThat(s.get("checkpointIntervalMs").asLong()).as("at-least-once's default interval").isEqualTo(10_000);
        assertThat(s.get("events").asLong()).as("ticks measured").isPositive();
        long p50 = s.get("p50Ms").asLong();
        long p99 = s.get("p99Ms").asLong();
        long max = s.get("maxMs").asLong();
        assertThat(p50).isNotNegative().isLessThanOrEqualTo(p99);
        assertThat(p99).isLessThanOrEqualTo(max);
        assertThat(List.of("p50Ms", "p99Ms", "maxMs", "events")).allSatisfy(k -> assertThat(s.get("lifecycle").has(k)).isTrue());
    }

    @Test
    void anUnknownScenarioIsMisuse() {
        Run r = run("bench", "latency", "--scenarios", "stormy");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown scenario 'stormy'");
    }

    @Test
    void noneIsNotADelivery() {
        Run r = run("bench", "latency", "--delivery", "none");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("exactly-once or at-least-once");
    }
}

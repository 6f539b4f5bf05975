package io.collateralrisk.jobs.cli;

import io.collateralrisk.jobs.demo.Demo;
import io.collateralrisk.jobs.demo.DemoLog;
import io.collateralrisk.jobs.kafka.DeliveryConverter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.logging.log4j.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/risk demo}. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the whole pipeline on embedded defaults: a local Kafka broker (KRaft) on free ports,",
            "the bundled March 2023 BTC-USD data of three venues published to 'prices', and the job on an",
            "in-JVM Flink MiniCluster from Kafka to Kafka, with a generated loan book on facility-events;",
            "prints progress and a summary (margin calls, cures, liquidations, worst facilities), then cleans up.",
            "The log of the job and its libraries goes to DIR/demo.log (--work-dir, default demo-output).",
            "Flink's Prometheus reporter is on, and a real Prometheus (bin/ensure-prometheus installs it) scrapes it",
            "with the rules of dashboards/prometheus; --keep-running keeps the job and Prometheus up until Ctrl-C."
        })
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--parallelism", defaultValue = "2", paramLabel = "N", description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--facilities", defaultValue = "5000", paramLabel = "N", description = "Facilities in the generated loan book (default: ${DEFAULT-VALUE}).")
    int facilities;

    @Option(names = "--work-dir", defaultValue = "demo-output", paramLabel = "DIR",
            description = "The demo's directory: its audit warehouse DIR/warehouse and its log DIR/demo.log, replaced on each run (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--keep-running",
            description = "Leave the Kafka sources open: after the replay the job, the broker and Prometheus stay up until Ctrl-C.")
    boolean keepRunning;

    @Option(names = "--no-prometheus", description = "Do not start Prometheus (the reporter still serves the metrics).")
    boolean noPrometheus;

    @Option(names = "--days", defaultValue = "0", paramLabel = "N",
            description = "Publish only the first N days of the bundled week (default: all of it).")
    int days;

    @Option(names = "--delivery", defaultValue = "exactly-once", converter = DeliveryConverter.class,
            description = "Output delivery: exactly-once (read back read_committed, visible at each checkpoint) or at-least-once"
                    + " (read back read_uncommitted, visible at once). Default: ${DEFAULT-VALUE}.")
    DeliveryGuarantee delivery;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (days < 0 || facilities < 1 || parallelism < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--days must be 0 or more, --facilities and --parallelism 1 or more");
        }
        // From here on the job and its libraries log to the file; the terminal shows what the demo prints.
        Path log = DemoLog.redirect(workDir);
        try {
            return new Demo(System.out, parallelism, facilities, workDir, keepRunning, !noPrometheus, days, log, delivery).run();
        } catch (Exception e) {
            LogManager.getLogger(DemoCommand.class).error("The demo stopped", e);
            System.out.println();
            System.out.flush();
            spec.commandLine().getErr().println("risk demo: " + Demo.firstLine(RiskCli.rootMessage(e)) + " (the whole story is in "
                    + Demo.relative(log) + ")");
            spec.commandLine().getErr().flush();
            return 1;
        }
    }
}

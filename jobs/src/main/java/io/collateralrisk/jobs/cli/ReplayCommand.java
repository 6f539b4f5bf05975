package io.collateralrisk.jobs.cli;

import io.collateralrisk.jobs.StateBackendChoice;
import io.collateralrisk.jobs.replay.Replay;
import io.collateralrisk.jobs.replay.ReplaySummary;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/risk replay}: the streaming job over bounded files, with deterministic output files. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the job over DIR/<topic>.jsonl (or .jsonl.gz) for each input topic present",
            "(prices, facility-events, risk-control, portfolio-events, custody-snapshots) and writes OUT/<topic>.jsonl for each output topic,",
            "sorted by event time, key and id: the same input gives byte-identical files.",
            "Event time ends at the last input time."
        })
public final class ReplayCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Directory of input topic files.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory; must be absent or empty.")
    Path out;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (built-in defaults when absent).")
    Path config;

    @Option(names = "--parallelism", defaultValue = "2", paramLabel = "N", description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--state-backend", defaultValue = "HASHMAP", paramLabel = "HASHMAP|ROCKSDB",
            description = "Where keyed state lives: the JVM heap, or RocksDB on local disk for large books (default: ${DEFAULT-VALUE}).")
    StateBackendChoice stateBackend;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(input)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--input is not a directory: " + input);
        }
        if (parallelism < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallelism must be at least 1");
        }
        RiskConfig riskConfig = config == null ? RiskConfig.defaults() : ConfigLoader.load(config);
        System.err.println("replaying " + input + " (config " + riskConfig.configHash().substring(0, 12) + ") ...");
        Replay.Result result = new Replay(riskConfig, parallelism, Replay.auditCatalog(riskConfig, out), stateBackend).run(input, out);
        System.out.print(ReplaySummary.render(result, riskConfig, out));
        return 0;
    }
}

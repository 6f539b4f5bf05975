package io.collateralrisk.jobs.cli;

import io.collateralrisk.jobs.audit.AuditSource;
import io.collateralrisk.jobs.audit.EventStory;
import io.collateralrisk.jobs.audit.Explainer;
import io.collateralrisk.jobs.audit.StoryPrinter;
import io.collateralrisk.jobs.audit.StoryVerifier;
import io.collateralrisk.model.config.AuditCatalogConfig;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.sinks.audit.AuditCatalogs;
import io.collateralrisk.sinks.audit.AuditTables;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchTableException;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bin/risk explain}: the story of one lifecycle event, from the audit tables alone. */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        description = {
            "Prints the story of one event of risk_audit.margin_call_events from the",
            "audit tables alone: the collateral and debt versions in force, each",
            "source's price and why any was excluded, the LTV price and arithmetic,",
            "the policy and its thresholds, the configuration hash, the divergence",
            "state, and the facility's records before and after it.",
            "With --verify, recomputes the decision from those rows with the",
            "product's own rules and exits 1 naming each field that differs."
        })
public final class ExplainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    static final class CatalogLocation {
        @Option(names = "--warehouse", paramLabel = "DIR", description = "Warehouse directory of a Hadoop catalog, such as a replay's OUT/warehouse.")
        Path warehouse;

        @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration whose audit.catalog names the catalog.")
        Path config;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    CatalogLocation catalog;

    @Option(names = "--verify", description = "Recompute the decision and fail on any difference.")
    boolean verify;

    @Parameters(paramLabel = "EVENT_ID", description = "eventId of a lifecycle event or CEP flag on risk.margin-calls.")
    String eventId;

    @Override
    public Integer call() throws Exception {
        AuditCatalogConfig location = location();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Catalog opened = AuditCatalogs.open(location);
        try {
            EventStory story;
            try {
                story = new Explainer(AuditSource.scanning(opened)).story(eventId);
            } catch (Explainer.NoSuchEventException e) {
                err.println("risk explain: " + e.getMessage());
                return 1;
            } catch (NoSuchTableException e) {
                err.println("risk explain: no audit tables (" + AuditTables.NAMESPACE + ") in " + location.warehouse() + ": " + e.getMessage());
                return 1;
            }
            out.print(StoryPrinter.render(story));
            if (!verify) {
                out.flush();
                return 0;
            }
            StoryVerifier.Verification v = StoryVerifier.verify(story);
            out.println();
            out.print(StoryPrinter.render(v));
            out.flush();
            if (!v.passed()) {
                err.println("risk explain: verification failed: " + v.summary());
                return 1;
            }
            return 0;
        } finally {
            if (opened instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    private AuditCatalogConfig location() {
        if (catalog != null && catalog.warehouse != null) {
            if (!Files.isDirectory(catalog.warehouse)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--warehouse is not a directory: " + catalog.warehouse);
            }
            return AuditCatalogConfig.hadoop(catalog.warehouse.toAbsolutePath().toString());
        }
        if (catalog != null && catalog.config != null) {
            AuditCatalogConfig fromFile = ConfigLoader.load(catalog.config).auditCatalog();
            if (fromFile.warehouse().isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "audit.catalog.warehouse is empty in " + catalog.config + ": give --warehouse DIR");
            }
            return fromFile;
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "give --warehouse DIR or --config FILE (whose audit.catalog names the tables)");
    }
}

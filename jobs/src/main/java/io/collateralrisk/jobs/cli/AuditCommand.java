package io.collateralrisk.jobs.cli;

import io.collateralrisk.jobs.audit.AuditMaintenance;
import io.collateralrisk.jobs.audit.AuditQuery;
import io.collateralrisk.jobs.audit.ResultFormat;
import io.collateralrisk.sinks.audit.AuditCatalogs;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Catalog;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bin/risk audit}: read-only SQL over the audit tables, with time travel; {@code audit maintain}. */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        subcommands = AuditCommand.Maintain.class,
        description = {
            "Runs one read-only Flink SQL query (batch) over the audit tables of namespace risk_audit.",
            "Tables are named plainly or by namespace (margin_call_events or risk_audit.margin_call_events):",
            "price_ticks, reference_prices, facility_events, margin_call_events, divergence_incidents,",
            "solvency_events, rejected_events, config_versions.",
            "Example: bin/risk audit --warehouse out/warehouse \"SELECT type, count(*) AS n FROM margin_call_events GROUP BY type\""
        })
public final class AuditCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    AuditCatalogOptions catalog = new AuditCatalogOptions();

    @Option(names = "--format", defaultValue = "table", paramLabel = "table|csv|json", converter = FormatConverter.class,
            description = "Output format (default: ${DEFAULT-VALUE}).")
    ResultFormat format;

    @ArgGroup(exclusive = true)
    Travel travel;

    static final class Travel {
        @Option(names = "--snapshot", paramLabel = "ID",
                description = "Read the table that owns this snapshot as of it, and every other table as of its commit time.")
        Long snapshot;

        @Option(names = "--as-of", paramLabel = "TIME", description = "Read every table as it was at this instant (ISO-8601 UTC, e.g. 2026-11-26T09:00:00Z).")
        String asOf;
    }

    @Parameters(paramLabel = "SQL", description = "The query, such as \"SELECT * FROM margin_call_events WHERE facility_id = 'F-1'\".")
    String sql;

    @Override
    public Integer call() {
        AuditQuery.TimeTravel when = AuditQuery.TimeTravel.NOW;
        if (travel != null && travel.snapshot != null) {
            when = new AuditQuery.TimeTravel(travel.snapshot, null);
        } else if (travel != null && travel.asOf != null) {
            try {
                when = new AuditQuery.TimeTravel(null, Instant.parse(travel.asOf));
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--as-of is not an ISO-8601 instant: " + travel.asOf);
            }
        }
        AuditQuery.Result result;
        try {
            result = new AuditQuery(catalog.catalog()).run(sql, when);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        spec.commandLine().getOut().print(format.render(result));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<ResultFormat> {
        @Override
        public ResultFormat convert(String value) {
            try {
                return ResultFormat.valueOf(value.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected table, csv or json, not " + value);
            }
        }
    }

    /** {@code bin/risk audit maintain}. */
    @Command(
            name = "maintain",
            mixinStandardHelpOptions = true,
            description = {
                "Compacts the audit tables' small files into large ones (every row kept) and expires",
                "snapshots older than audit.timeTravelDays (the latest is always kept). Safe to run while",
                "the job writes: Iceberg commits are atomic and the compaction retries on conflict."
            })
    static final class Maintain implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        AuditCatalogOptions catalog = new AuditCatalogOptions();

        @Override
        public Integer call() throws Exception {
            Catalog c;
            try {
                c = AuditCatalogs.open(catalog.catalog());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            int days = catalog.riskConfig().auditTimeTravelDays();
            var out = spec.commandLine().getOut();
            out.printf("%-22s %12s %11s %12s %18s%n", "table", "files before", "files after", "rows", "snapshots expired");
            for (AuditMaintenance.Report r : AuditMaintenance.run(c, days, Instant.now())) {
                out.printf("%-22s %12d %11d %12d %18d%n", r.table(), r.filesBefore(), r.filesAfter(), r.rows(), r.snapshotsExpired());
            }
            out.println("snapshots younger than " + days + " days kept for time travel (audit.timeTravelDays)");
            out.flush();
            if (c instanceof AutoCloseable closeable) {
                closeable.close();
            }
            return 0;
        }
    }
}

package io.collateralrisk.sinks.audit;

import io.collateralrisk.model.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The audit tables of namespace {@code risk_audit}: their columns (documented in the table
 * metadata itself), partitioning and properties. Every table has {@code event_id} (the
 * deterministic id of the row's event), {@code event_time} (UTC, the partition source: one
 * partition per day) and {@code record} (the exact JSON emitted or received), so an auditor can
 * both filter by typed columns and read the whole event.
 *
 * <p>Money and quantities are {@code decimal(38, 18)}: every configured asset has a scale of at
 * most 18 (the configuration refuses more), so each value is stored exactly as the asset's scale
 * wrote it; {@code record} keeps the string at the asset's scale. An input value with more digits
 * than that (a venue's volume of 0.0028379100000000003) is never rounded: its typed column is null
 * and the exact value is in {@code record}.
 */
public final class AuditTables {

    public static final String NAMESPACE = "risk_audit";

    public static final String PRICE_TICKS = "price_ticks";
    public static final String REFERENCE_PRICES = "reference_prices";
    public static final String FACILITY_EVENTS = "facility_events";
    public static final String MARGIN_CALL_EVENTS = "margin_call_events";
    public static final String DIVERGENCE_INCIDENTS = "divergence_incidents";
    public static final String SOLVENCY_EVENTS = "solvency_events";
    public static final String REJECTED_EVENTS = "rejected_events";
    public static final String CONFIG_VERSIONS = "config_versions";

    static final Type AMOUNT = Types.DecimalType.of(38, 18);
    static final Type TIME = Types.TimestampType.withZone();
    static final Type TEXT = Types.StringType.get();
    static final Type LONG = Types.LongType.get();
    static final Type BOOL = Types.BooleanType.get();
    static final Type INT = Types.IntegerType.get();

    /**
     * Properties chosen on purpose: format v2; Parquet with zstd (columnar scans of a few columns
     * over years of rows); 128 MB target files (a day of one pair's ticks is a few MB, so daily
     * partitions stay one file after compaction); old metadata files cleaned after each commit;
     * snapshots younger than {@code audit.timeTravelDays} kept by expiry.
     */
    static Map<String, String> properties(int timeTravelDays) {
        return Map.of(
                TableProperties.FORMAT_VERSION, "2",
                TableProperties.DEFAULT_FILE_FORMAT, "parquet",
                TableProperties.PARQUET_COMPRESSION, "zstd",
                TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, Long.toString(128L * 1024 * 1024),
                TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
                TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100",
                TableProperties.MAX_SNAPSHOT_AGE_MS, Long.toString(timeTravelDays * 86_400_000L),
                TableProperties.MIN_SNAPSHOTS_TO_KEEP, "1");
    }

    /** One audit table: its name, the topic whose records fill it, and its schema. */
    public record Definition(String name, String topic, Schema schema, String doc) {

        public TableIdentifier identifier() {
            return TableIdentifier.of(NAMESPACE, name);
        }

        public PartitionSpec spec() {
            return name.equals(CONFIG_VERSIONS)
                    ? PartitionSpec.unpartitioned()
                    : PartitionSpec.builderFor(schema).day("event_time").build();
        }
    }

    public static final List<Definition> ALL = List.of(
            table(PRICE_TICKS, Topics.PRICES, "Every price tick taken into an evaluation (refused ticks are in rejected_events).",
                    b -> b.req("pair", TEXT, "pair such as BTC-USD")
                            .req("source", TEXT, "price source such as coinbase or chainlink")
                            .req("kind", TEXT, "ORACLE or EXCHANGE")
                            .opt("price", AMOUNT, "quoted price, exact (null only for a price with more than 18 decimals: see record)")
                            .opt("volume", AMOUNT, "traded volume when the source gives one")
                            .opt("round", TEXT, "oracle round id (a decimal integer that can exceed 64 bits)")),
            table(REFERENCE_PRICES, Topics.REFERENCE_PRICES, "Every evaluation of a pair: the LTV price, how it was made, and which sources were used or excluded and why.",
                    b -> b.req("pair", TEXT, "evaluated pair")
                            .req("evaluation_id", TEXT, "id lifecycle events cite as the source of their LTV price")
                            .req("status", TEXT, "OK or UNAVAILABLE")
                            .opt("price", AMOUNT, "the LTV price (null when unavailable)")
                            .opt("median", AMOUNT, "median of the fresh, non-excluded sources")
                            .opt("twap", AMOUNT, "time-weighted average of the exchanges over the TWAP window")
                            .opt("primary", AMOUNT, "the oracle's price when fresh and used")
                            .req("incident_open", BOOL, "a divergence incident was open for the pair")
                            .list("used", "sources used", s -> s
                                    .req("source", TEXT, "source").req("kind", TEXT, "ORACLE or EXCHANGE")
                                    .opt("price", AMOUNT, "its last price").req("event_time", TIME, "time of that price"))
                            .list("excluded", "sources excluded, with the reason", s -> s
                                    .req("source", TEXT, "source").req("reason", TEXT, "STALE or OUTLIER"))
                            .req("config_hash", TEXT, "SHA-256 of the configuration in force")),
            table(FACILITY_EVENTS, Topics.FACILITY_EVENTS, "Every facility event taken by the facility stage, with what it did (refused events are in rejected_events).",
                    b -> b.req("facility_id", TEXT, "facility (for HOLDS_RELEASED from risk-control, the pair it releases)")
                            .req("type", TEXT, "FACILITY_OPENED, COLLATERAL_UPDATED, DEBT_UPDATED, LIQUIDATION_EXECUTED, LIQUIDATION_FAILED, FACILITY_CLOSED, or HOLDS_RELEASED")
                            .req("outcome", TEXT, "APPLIED, or STALE_VERSION (a version not newer than the last applied: changes nothing)")
                            .req("applied_late", BOOL, "the watermark had passed the event's time when it arrived (applied all the same)")
                            .opt("version", LONG, "version of the collateral or debt total")
                            .opt("collateral", AMOUNT, "collateral total, base asset")
                            .opt("outstanding", AMOUNT, "outstanding debt total, quote asset")
                            .opt("borrower_id", TEXT, "borrower (FACILITY_OPENED)")
                            .opt("custodian", TEXT, "custodian (FACILITY_OPENED)")
                            .opt("pair", TEXT, "pair (FACILITY_OPENED, HOLDS_RELEASED)")
                            .opt("policy", TEXT, "policy (FACILITY_OPENED)")
                            .opt("liquidation_id", TEXT, "liquidation the custodian answers (EXECUTED, FAILED)")
                            .opt("collateral_sold", AMOUNT, "collateral sold (LIQUIDATION_EXECUTED)")
                            .opt("proceeds", AMOUNT, "proceeds of the sale (LIQUIDATION_EXECUTED)")
                            .opt("reason", TEXT, "why the sale failed (LIQUIDATION_FAILED), or why an operator released the holds (HOLDS_RELEASED; releasedBy is in record)")
                            .req("location", TEXT, "where it was read: topic/partition@offset or file:line")),
            table(MARGIN_CALL_EVENTS, Topics.MARGIN_CALLS, "Every lifecycle decision and CEP flag, with the full explainable payload in record.",
                    b -> b.req("type", TEXT, "lifecycle event or flag type, such as MARGIN_CALL_ISSUED")
                            .req("facility_id", TEXT, "facility")
                            .opt("borrower_id", TEXT, "borrower")
                            .opt("custodian", TEXT, "custodian")
                            .opt("pair", TEXT, "pair")
                            .opt("policy", TEXT, "name of the policy whose thresholds applied (its thresholds are in record)")
                            .opt("band_before", TEXT, "band before the decision")
                            .opt("band_after", TEXT, "band after the decision")
                            .opt("ltv", AMOUNT, "loan-to-value at the decision (null when infinite)")
                            .opt("ltv_price", AMOUNT, "the LTV price used")
                            .opt("evaluation_id", TEXT, "the reference-price evaluation the price came from")
                            .opt("collateral", AMOUNT, "collateral used")
                            .opt("collateral_version", LONG, "its version")
                            .opt("outstanding", AMOUNT, "outstanding debt used")
                            .opt("debt_version", LONG, "its version")
                            .opt("incident_open", BOOL, "a divergence incident was open")
                            .opt("cure_deadline", TIME, "the margin call's deadline")
                            .opt("reason", TEXT, "THRESHOLD, CURE_EXPIRED or another reason the type names")
                            .opt("hold_reason", TEXT, "why a liquidation is held")
                            .opt("liquidation_id", TEXT, "liquidation id")
                            .opt("liquidate_collateral", AMOUNT, "collateral to sell")
                            .opt("shortfall", AMOUNT, "debt the collateral cannot cover")
                            .opt("config_hash", TEXT, "SHA-256 of the configuration in force")
                            .opt("code_version", TEXT, "version of the code that decided")),
            table(DIVERGENCE_INCIDENTS, Topics.DIVERGENCE, "Divergence incidents opened and closed, with what they were measured against.",
                    b -> b.req("type", TEXT, "DIVERGENCE_OPENED or DIVERGENCE_CLOSED")
                            .req("pair", TEXT, "pair")
                            .req("incident_id", TEXT, "incident")
                            .opt("opened_at", TIME, "when the incident opened")
                            .opt("threshold", AMOUNT, "divergence threshold in force")
                            .opt("peak_divergence", AMOUNT, "largest divergence seen")
                            .opt("closed_by", TEXT, "what closed it")
                            .opt("resolved_by", TEXT, "who resolved it, for a manual resolution")
                            .opt("config_hash", TEXT, "SHA-256 of the configuration in force")),
            table(SOLVENCY_EVENTS, Topics.SOLVENCY, "Portfolio solvency and custody-pool events.",
                    b -> b.req("type", TEXT, "solvency event type")
                            .opt("wallet", TEXT, "wallet of cross-margined portfolios")
                            .opt("custody", TEXT, "custody pool")
                            .opt("config_hash", TEXT, "SHA-256 of the configuration in force"),
                    // Added after the table's first release, so they follow record: a table created
                    // earlier gains them (evolve) with the same ids a new table gets.
                    b -> b.opt("portfolio", INT, "portfolio number within the wallet (portfolio events)")
                            .opt("state", TEXT, "SOLVENT, AT_RISK, INSOLVENT or UNVALUED (portfolio events)")
                            .opt("previous_state", TEXT, "state before the event (portfolio events)")
                            .opt("utilization", AMOUNT, "the portfolio's utilization, or the custody pool's, exact (null when infinite, unvalued, or more than 18 decimals: see record)")
                            .opt("utilization_infinite", BOOL, "the portfolio's utilization is infinite (debt without credit)")
                            .opt("code_version", TEXT, "version of the code that decided (portfolio events)")
                            .opt("invariant", TEXT, "custody invariant broken or restored")
                            .opt("field", TEXT, "custody amount whose loss was recorded (CUSTODY_LOSS_RECORDED)")
                            .opt("slot", LONG, "custody snapshot slot (null above 64 bits: see record)")
                            .opt("difference", TEXT, "left side of the invariant minus its right side, a decimal integer (128-bit: more digits than decimal(38) holds)")),
            table(REJECTED_EVENTS, Topics.DEAD_LETTER, "Every input refused, with the raw payload and the reason.",
                    b -> b.req("topic", TEXT, "input topic it was read from")
                            .req("location", TEXT, "topic/partition@offset or file:line")
                            .req("reason", TEXT, "machine-readable reason such as MALFORMED_JSON or LATE_EVENT")
                            .opt("detail", TEXT, "human-readable detail")
                            .opt("payload", TEXT, "the raw input, as received")),
            new Definition(CONFIG_VERSIONS, null, new Schema(
                    Types.NestedField.required(1, "config_hash", TEXT, "SHA-256 of the canonical configuration"),
                    Types.NestedField.required(2, "content", TEXT, "the canonical configuration (JSON, keys sorted) the hash is taken of"),
                    Types.NestedField.required(3, "first_used", TIME, "when a job first ran with it"),
                    Types.NestedField.required(4, "code_version", TEXT, "code version of that job")),
                    "Every configuration a job ran with, once per hash."));

    private AuditTables() {}

    public static Definition byName(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no audit table " + name));
    }

    /** The table filled from an output or input topic's records, if any. */
    public static Optional<Definition> forTopic(String topic) {
        return ALL.stream().filter(d -> topic.equals(d.topic())).findFirst();
    }

    /**
     * Creates the namespace and every table that does not exist yet; an existing table only gains the
     * optional columns a later version added (see {@link #evolve}).
     */
    public static void createIfAbsent(Catalog catalog, int timeTravelDays) {
        if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(Namespace.of(NAMESPACE))) {
            try {
                namespaces.createNamespace(Namespace.of(NAMESPACE));
            } catch (AlreadyExistsException raced) {
                // another job created it first
            }
        }
        for (Definition d : ALL) {
            if (!catalog.tableExists(d.identifier())) {
                try {
                    catalog.buildTable(d.identifier(), d.schema()).withPartitionSpec(d.spec())
                            .withProperties(properties(timeTravelDays)).withProperty("comment", d.doc()).create();
                } catch (AlreadyExistsException raced) {
                    // another job created it first
                }
            } else {
                evolve(catalog.loadTable(d.identifier()), d);
            }
        }
    }

    public static Table load(Catalog catalog, String name) {
        return catalog.loadTable(TableIdentifier.of(NAMESPACE, name));
    }

    private static Definition table(String name, String topic, String doc, java.util.function.UnaryOperator<Columns> columns) {
        return table(name, topic, doc, columns, c -> c);
    }

    /**
     * A table whose {@code added} columns came after its first release: they follow {@code record}
     * and must all be optional, so that {@link #evolve} gives an existing table the very schema
     * (names, ids, order) a new one is created with.
     */
    private static Definition table(String name, String topic, String doc, java.util.function.UnaryOperator<Columns> columns,
            java.util.function.UnaryOperator<Columns> added) {
        Columns c = new Columns(new AtomicInteger());
        c.req("event_id", TEXT, "deterministic id of the event (the eventId of the record)")
                .req("event_time", TIME, "event time, UTC; the table is partitioned by its day");
        columns.apply(c);
        c.req("record", TEXT, "the exact JSON record emitted (or received, for inputs)");
        int before = c.fields.size();
        added.apply(c);
        if (c.fields.subList(before, c.fields.size()).stream().anyMatch(Types.NestedField::isRequired)) {
            throw new IllegalStateException("a column added to " + name + " after its release must be optional");
        }
        return new Definition(name, topic, new Schema(c.fields), doc);
    }

    /**
     * Adds to an existing table the optional columns of its definition it lacks (a table created by
     * an earlier version). Existing columns are never changed or dropped; rows written before read
     * back null in the added columns. Returns the names added.
     */
    public static List<String> evolve(Table table, Definition d) {
        List<String> missing = new ArrayList<>();
        for (Types.NestedField f : d.schema().columns()) {
            if (table.schema().findField(f.name()) == null) {
                if (f.isRequired()) {
                    throw new IllegalStateException("audit table " + d.name() + " lacks required column " + f.name()
                            + ": only optional columns can be added to an existing table");
                }
                missing.add(f.name());
            }
        }
        if (!missing.isEmpty()) {
            org.apache.iceberg.UpdateSchema update = table.updateSchema();
            for (Types.NestedField f : d.schema().columns()) {
                if (missing.contains(f.name())) {
                    update.addColumn(f.name(), f.type(), f.doc());
                }
            }
            update.commit();
        }
        return missing;
    }

    /** Builds fields with ids in declaration order. */
    static final class Columns {
        final List<Types.NestedField> fields = new ArrayList<>();
        private final AtomicInteger ids;

        Columns(AtomicInteger ids) {
            this.ids = ids;
        }

        Columns req(String name, Type type, String doc) {
            fields.add(Types.NestedField.required(ids.incrementAndGet(), name, type, doc));
            return this;
        }

        Columns opt(String name, Type type, String doc) {
            fields.add(Types.NestedField.optional(ids.incrementAndGet(), name, type, doc));
            return this;
        }

        Columns list(String name, String doc, java.util.function.UnaryOperator<Columns> element) {
            int listId = ids.incrementAndGet();
            int elementId = ids.incrementAndGet();
            Columns inner = new Columns(ids);
            element.apply(inner);
            fields.add(Types.NestedField.required(listId, name,
                    Types.ListType.ofRequired(elementId, Types.StructType.of(inner.fields)), doc));
            return this;
        }
    }
}

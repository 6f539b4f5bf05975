package io.collateralrisk.jobs;

import io.collateralrisk.jobs.audit.AuditSetup;
import io.collateralrisk.jobs.cli.CodeVersion;
import io.collateralrisk.jobs.kafka.DeliveryConverter;
import io.collateralrisk.jobs.kafka.KafkaPipeline;
import io.collateralrisk.model.config.AuditCatalogConfig;
import io.collateralrisk.model.config.ConfigLoader;
import io.collateralrisk.model.config.RiskConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The entry point of the deployable jar on a Flink cluster: the job from Kafka to Kafka, live.
 * Checkpointing and restart strategy come from the cluster's configuration; so does the state
 * backend unless {@code --state-backend} chooses it.
 */
@Command(name = "risk-job", mixinStandardHelpOptions = true, description = "The collateral-risk job, from Kafka to Kafka.")
public final class RiskJobMain implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--config", description = "YAML configuration (built-in defaults when absent).")
    Path config;

    @Option(names = "--group-id", defaultValue = "risk-monitor", description = "Kafka consumer group and transactional id prefix (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--delivery", defaultValue = "exactly-once", converter = DeliveryConverter.class,
            description = "exactly-once (transactions committed with checkpoints: visible at the checkpoint) or at-least-once "
                    + "(visible in milliseconds; after a failure a record may repeat: de-duplicate by eventId). Default: ${DEFAULT-VALUE}.")
    DeliveryGuarantee delivery;

    @Option(names = "--audit-warehouse", paramLabel = "LOCATION",
            description = "Warehouse of the audit tables when the configuration's audit.catalog names none.")
    String auditWarehouse;

    @Option(names = "--state-backend", paramLabel = "HASHMAP|ROCKSDB",
            description = "Where keyed state lives: the TaskManager heap, or RocksDB on local disk for large books. Default: the cluster's state.backend.type.")
    StateBackendChoice stateBackend;

    @Override
    public Integer call() throws Exception {
        RiskConfig riskConfig = config == null ? RiskConfig.defaults() : ConfigLoader.load(config);
        Configuration conf = RiskJob.baseConfiguration();
        if (stateBackend != null) {
            stateBackend.applyTo(conf);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        AuditCatalogConfig audit = riskConfig.auditCatalog().withDefaultWarehouse(auditWarehouse == null ? "" : auditWarehouse);
        if (audit.warehouse().isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "the audit tables need a place: set audit.catalog in the configuration or pass --audit-warehouse");
        }
        KafkaPipeline.build(env, bootstrapServers, groupId, riskConfig, delivery, false, Long.MAX_VALUE,
                AuditSetup.prepare(audit, riskConfig, CodeVersion.get()));
        env.execute("collateral risk " + riskConfig.configHash().substring(0, 12));
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new RiskJobMain()).execute(args));
    }
}

package io.collateralrisk.jobs.kafka;

import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.jobs.cli.CodeVersion;
import io.collateralrisk.jobs.input.InputRecord;
import io.collateralrisk.jobs.input.KafkaInputDeserializer;
import io.collateralrisk.jobs.input.PriceSourceWatermarks;
import io.collateralrisk.jobs.input.ReferenceClockWatermarks;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.sinks.KafkaOutputSink;
import io.collateralrisk.sinks.audit.AuditSink;
import org.apache.iceberg.flink.CatalogLoader;
import io.collateralrisk.model.OutputRecord;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import java.util.function.UnaryOperator;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The job from Kafka to Kafka: the production wiring, also used by the demo. */
public final class KafkaPipeline {

    private KafkaPipeline() {}

    /**
     * @param bounded stop at the input offsets that exist at start (the demo); false runs forever
     * @param eventTimeHorizon {@link Long#MAX_VALUE} live; the last published time in the demo
     * @param audit the audit catalog, prepared ({@code AuditSetup}); null writes no audit tables
     */
    public static void build(
            StreamExecutionEnvironment env,
            String bootstrapServers,
            String groupId,
            RiskConfig config,
            DeliveryGuarantee delivery,
            boolean bounded,
            long eventTimeHorizon,
            CatalogLoader audit) {
        build(env, bootstrapServers, groupId, config, delivery, bounded, eventTimeHorizon, audit, UnaryOperator.identity());
    }

    /**
     * The same wiring with {@code beforeJob} applied to the Kafka sources before the job's graph is
     * built: the seam where a test inserts an operator of its own (a failure injector) into the
     * production graph. Production passes the identity, which adds nothing to the graph.
     */
    static void build(
            StreamExecutionEnvironment env,
            String bootstrapServers,
            String groupId,
            RiskConfig config,
            DeliveryGuarantee delivery,
            boolean bounded,
            long eventTimeHorizon,
            CatalogLoader audit,
            UnaryOperator<RiskJob.Inputs> beforeJob) {
        env.configure(latencySettings());
        // Unbounded, the job is live: facility, control, portfolio and custody records carry no clock. Bounded (the demo's
        // replay of history through Kafka), every input's clock holds the others back, as in a replay.
        RiskJob.Inputs inputs = beforeJob.apply(new RiskJob.Inputs(
                source(env, bootstrapServers, groupId, Topics.PRICES, bounded, PriceSourceWatermarks.of(config, !bounded)),
                source(env, bootstrapServers, groupId, Topics.FACILITY_EVENTS, bounded, ReferenceClockWatermarks.stampReferenceClock()),
                source(env, bootstrapServers, groupId, Topics.RISK_CONTROL, bounded, ReferenceClockWatermarks.stampReferenceClock()),
                source(env, bootstrapServers, groupId, Topics.PORTFOLIO_EVENTS, bounded, ReferenceClockWatermarks.stampReferenceClock()),
                source(env, bootstrapServers, groupId, Topics.CUSTODY_SNAPSHOTS, bounded, ReferenceClockWatermarks.stampReferenceClock()),
                true, !bounded));
        RiskJob.Outputs job = RiskJob.build(inputs, config, CodeVersion.get(), eventTimeHorizon);
        if (audit != null) {
            AuditSink.attach(job.audit(), audit);
        }
        DataStream<OutputRecord> outputs = job.records();
        outputs.sinkTo(KafkaOutputSink.create(bootstrapServers, delivery, groupId + "-out"))
                .uid("kafka-outputs")
                .name("kafka outputs");
    }

    /** How long a network buffer may wait to fill before it is sent: every hop of a decision pays up to this. */
    public static final Duration BUFFER_TIMEOUT = Duration.ofMillis(5);
    /**
     * How often watermark generators are asked for their watermark: the price source emits as soon as
     * a tick moves it, so this only paces idleness and the no-clock inputs' idle marking.
     */
    public static final Duration WATERMARK_INTERVAL = Duration.ofMillis(100);

    /**
     * A decision crosses five network hops (source, prices, feed health, LTV, breaker, sink): Flink's
     * default buffer timeout (100 ms) would cost up to half a second on a quiet stream.
     */
    static Configuration latencySettings() {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.BUFFER_TIMEOUT, BUFFER_TIMEOUT);
        conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, WATERMARK_INTERVAL);
        return conf;
    }

    private static DataStream<InputRecord> source(
            StreamExecutionEnvironment env, String bootstrapServers, String groupId, String topic, boolean bounded,
            WatermarkStrategy<InputRecord> watermarks) {
        KafkaSourceBuilder<InputRecord> builder = KafkaSource.<InputRecord>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(
                        org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST))
                .setProperty("isolation.level", "read_committed")
                .setDeserializer(new KafkaInputDeserializer());
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        // Prices: the price clock, per partition. The other topics' timestamps and watermarks come after
        // parsing (RiskJob); their source only stamps each record with its reference clock.
        return env.fromSource(builder.build(), watermarks, topic).uid("source-" + topic);
    }

    /** Every topic the job reads or writes, with its partitions ({@link TopicLayout}). */
    public static Map<String, Integer> topicPartitions() {
        return TopicLayout.partitions();
    }

    /**
     * Each topic's settings for a local broker fed historical data (the demo, tests): compaction
     * for {@code risk.ltv}, and no time-based deletion of years-old records
     * ({@link TopicLayout#configsKeepingHistory()}); a real cluster gets {@code bin/risk topics create}.
     */
    public static Map<String, Map<String, String>> topicConfigs() {
        return TopicLayout.configsKeepingHistory();
    }
}

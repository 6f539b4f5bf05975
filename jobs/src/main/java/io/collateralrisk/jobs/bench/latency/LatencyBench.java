package io.collateralrisk.jobs.bench.latency;

import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.jobs.StateBackendChoice;
import io.collateralrisk.jobs.kafka.DeliveryConverter;
import io.collateralrisk.jobs.kafka.KafkaPipeline;
import io.collateralrisk.jobs.kafka.LocalKafkaBroker;
import io.collateralrisk.jobs.kafka.TopicCreator;
import io.collateralrisk.jobs.kafka.TopicLayout;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.Json;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code bin/risk bench latency}: tick-to-output latency of the job running live.
 *
 * <p>For each {@code (outOfOrder, delivery)} it starts a Kafka broker in a process of its own
 * ({@link LocalKafkaBroker}), creates the production topic layout ({@link TopicCreator}), publishes
 * the loan book, and runs the job on a MiniCluster in this JVM through {@link KafkaPipeline}, the
 * wiring the demo and the deployable job use. A producer sends ticks at a steady rate for the whole
 * run; a consumer reads {@code risk.reference-prices} and {@code risk.margin-calls} the way a
 * downstream system would ({@code read_committed} for exactly-once, {@code read_uncommitted} for
 * at-least-once). The facility-event scenarios then run one after another on the same job: each
 * warms up, measures the ticks sent during its window, and keeps its traffic until every measured
 * tick has been seen in a reference price (or the drain times out). {@link TickLatencies} links
 * ticks to records.
 */
public final class LatencyBench {

    /** Facility-event traffic while ticks flow. */
    public enum Traffic {
        SILENT(0),
        TRICKLING(0.1),
        BURSTING(1000);

        final double perSecond;

        Traffic(double perSecond) {
            this.perSecond = perSecond;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What to run and how. */
    public record Settings(
            List<Traffic> traffic,
            List<Long> outOfOrderMs,
            List<DeliveryGuarantee> deliveries,
            int facilities,
            int pairs,
            int ticksPerSecond,
            int parallelism,
            StateBackendChoice stateBackend,
            Duration exactlyOnceCheckpointInterval,
            Duration atLeastOnceCheckpointInterval,
            Duration warmup,
            Duration measure,
            Duration drainTimeout) {

        /**
         * Exactly-once output becomes visible at checkpoints, so its interval is part of its latency;
         * at-least-once output is visible at once, and its interval only bounds what a recovery reads again.
         */
        public Duration checkpointInterval(DeliveryGuarantee delivery) {
            return delivery == DeliveryGuarantee.EXACTLY_ONCE ? exactlyOnceCheckpointInterval : atLeastOnceCheckpointInterval;
        }
    }

    /** One scenario's figures. */
    public record Result(
            String name,
            long outOfOrderMs,
            String delivery,
            long checkpointIntervalMs,
            Percentiles ticks,
            Percentiles lifecycle,
            int missing,
            double ticksPerSecond,
            double loadAverage) {}

    /**
     * How long facility events have been quiet when the silent scenario starts measuring. They carry
     * no clock live, so this is only what makes the scenario silent, not a wait for idleness.
     */
    public static final int QUIET_INPUT_SETTLES_SECONDS = 10;
    private static final Duration QUIET_INPUT_SETTLES = Duration.ofSeconds(QUIET_INPUT_SETTLES_SECONDS);
    private static final String GROUP = "risk-bench";
    private static final long SEED = 20261207L;
    private static final Duration BOOK_LOAD_TIMEOUT = Duration.ofMinutes(10);
    /** The bench's own job and clients compete with the broker's start on a small machine. */
    private static final Duration BROKER_START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration FIRST_OUTPUT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration LIFECYCLE_GRACE_CAP = Duration.ofSeconds(60);

    private final Settings settings;
    private final PrintStream progress;

    public LatencyBench(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public List<Result> run() throws Exception {
        List<Result> results = new ArrayList<>();
        for (long outOfOrder : settings.outOfOrderMs()) {
            for (DeliveryGuarantee delivery : settings.deliveries()) {
                results.addAll(runJob(outOfOrder, delivery));
            }
        }
        return results;
    }

    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private void say(String format, Object... args) {
        progress.printf(Locale.ROOT, "bench: " + format + "%n", args);
        progress.flush();
    }

    private List<Result> runJob(long outOfOrderMs, DeliveryGuarantee delivery) throws Exception {
        String deliveryName = DeliveryConverter.name(delivery);
        BenchMarket market = new BenchMarket(settings.pairs(), settings.facilities(), SEED);
        RiskConfig config = market.config(outOfOrderMs);
        say("outOfOrder %d ms, %s: starting a Kafka broker ...", outOfOrderMs, deliveryName);
        Path checkpoints = Files.createTempDirectory("risk-bench-checkpoints-");
        List<Result> results = new ArrayList<>();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(BROKER_START_TIMEOUT);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            String bootstrap = broker.bootstrapServers();
            new TopicCreator(admin, (short) 1).ensure(TopicLayout.ALL);

            List<BenchMarket.Facility> facilities = new ArrayList<>();
            List<String> book = market.bookEvents(System.currentTimeMillis(), facilities);
            say("publishing the book: %,d facility events for %,d facilities on %d pairs ...", book.size(), facilities.size(), market.pairs().size());
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                Sent sent = new Sent();
                for (String line : book) {
                    producer.send(new ProducerRecord<>(Topics.FACILITY_EVENTS, BenchMarket.facilityId(line), line), sent);
                }
                producer.flush();
                sent.check();
            }

            Configuration conf = RiskJob.baseConfiguration();
            conf.set(CoreOptions.DEFAULT_PARALLELISM, settings.parallelism());
            settings.stateBackend().applyTo(conf);
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.checkpointInterval(delivery));
            // The book outgrows the JobManager's in-memory checkpoint storage.
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            KafkaPipeline.build(env, bootstrap, GROUP, config, delivery, false, Long.MAX_VALUE, null);
            JobClient job = env.executeAsync("risk latency bench");
            TickLatencies latencies = new TickLatencies();
            AtomicInteger scenario = new AtomicInteger(TickLatencies.NOT_MEASURED);
            try (OutputReader reader = new OutputReader(bootstrap, delivery, latencies);
                    TickFeed ticks = new TickFeed(bootstrap, market, settings.ticksPerSecond(), latencies, scenario);
                    FacilityFeed facilityFeed = new FacilityFeed(bootstrap, facilities)) {
                say("job running (parallelism %d, %s, checkpoint every %d ms); ticks at %,d/s; waiting for the book to be read ...",
                        settings.parallelism(), settings.stateBackend(), settings.checkpointInterval(delivery).toMillis(), settings.ticksPerSecond());
                awaitBookRead(admin, job);
                // Reading the book can leave ticks behind; measuring starts once a tick sent now has been evaluated.
                long caughtUpFrom = System.currentTimeMillis();
                say("book read; waiting for the job to evaluate a tick sent from now on ...");
                long deadline = System.nanoTime() + FIRST_OUTPUT_TIMEOUT.toNanos();
                while (latencies.lastEvaluatedSentAt() < caughtUpFrom) {
                    checkRunning(job, reader, ticks, facilityFeed);
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no tick evaluated within " + FIRST_OUTPUT_TIMEOUT.toMinutes() + " minutes");
                    }
                    Thread.sleep(200);
                }
                for (Traffic traffic : settings.traffic()) {
                    int tag = results.size();
                    results.add(scenario(traffic, tag, outOfOrderMs, deliveryName, settings.checkpointInterval(delivery),
                            delivery == DeliveryGuarantee.EXACTLY_ONCE, job, reader, ticks, facilityFeed, latencies, scenario));
                }
            } finally {
                stop(job);
            }
        } finally {
            FileUtils.deleteDirectoryQuietly(checkpoints.toFile());
        }
        return results;
    }

    private Result scenario(Traffic traffic, int tag, long outOfOrderMs, String delivery, Duration checkpointInterval,
            boolean visibleAtCheckpoints, JobClient job, OutputReader reader,
            TickFeed ticks, FacilityFeed facilityFeed, TickLatencies latencies, AtomicInteger scenario) throws Exception {
        facilityFeed.traffic(traffic);
        long warmupEnd = System.nanoTime() + settings.warmup().toNanos();
        if (traffic == Traffic.SILENT) {
            warmupEnd = Math.max(warmupEnd, facilityFeed.lastSent() + QUIET_INPUT_SETTLES.toNanos());
        }
        say("%s, outOfOrder %d ms, %s: warming up %d s ...", traffic.label(), outOfOrderMs, delivery,
                TimeUnit.NANOSECONDS.toSeconds(Math.max(0, warmupEnd - System.nanoTime())));
        sleepUntil(warmupEnd, job, reader, ticks, facilityFeed);

        long sentBefore = ticks.sent();
        long start = System.nanoTime();
        scenario.set(tag);
        say("%s: measuring %d s ...", traffic.label(), settings.measure().toSeconds());
        sleepUntil(start + settings.measure().toNanos(), job, reader, ticks, facilityFeed);
        scenario.set(TickLatencies.NOT_MEASURED);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = (ticks.sent() - sentBefore) / seconds;
        double load = loadAverage();

        // The scenario's traffic goes on until every measured tick has been evaluated, so the last
        // ticks of the window wait as long as the first did.
        long drainEnd = System.nanoTime() + settings.drainTimeout().toNanos();
        while (latencies.unresolved(tag) > 0 && System.nanoTime() < drainEnd) {
            sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200), job, reader, ticks, facilityFeed);
        }
        // The LTV stage runs after the price stage, so an evaluation's lifecycle events can reach
        // Kafka later than its reference price (exactly-once: a checkpoint later), and a loaded job
        // can take as long as the slowest tick did: wait that long again for them.
        long grace = Math.min(TimeUnit.MILLISECONDS.toNanos(Math.max(0, latencies.ticks(tag).max())), LIFECYCLE_GRACE_CAP.toNanos())
                + (visibleAtCheckpoints ? checkpointInterval.toNanos() : 0) + TimeUnit.SECONDS.toNanos(1);
        sleepUntil(System.nanoTime() + grace, job, reader, ticks, facilityFeed);
        Result r = new Result(traffic.label(), outOfOrderMs, delivery, checkpointInterval.toMillis(), latencies.ticks(tag), latencies.lifecycle(tag),
                latencies.unresolved(tag), rate, load);
        say("%s, outOfOrder %d ms, %s: %,d ticks p50 %d p99 %d max %d ms; %,d lifecycle events p50 %d p99 %d max %d ms; %d not evaluated",
                r.name(), outOfOrderMs, delivery, r.ticks().count(), r.ticks().p50(), r.ticks().p99(), r.ticks().max(),
                r.lifecycle().count(), r.lifecycle().p50(), r.lifecycle().p99(), r.lifecycle().max(), r.missing());
        return r;
    }

    private static void sleepUntil(long nanoTime, JobClient job, OutputReader reader, TickFeed ticks, FacilityFeed facilities)
            throws Exception {
        while (System.nanoTime() < nanoTime) {
            checkRunning(job, reader, ticks, facilities);
            Thread.sleep(Math.max(1, Math.min(500, TimeUnit.NANOSECONDS.toMillis(nanoTime - System.nanoTime()))));
        }
    }

    private static void checkRunning(JobClient job, OutputReader reader, TickFeed ticks, FacilityFeed facilities) throws Exception {
        JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            job.getJobExecutionResult().get(30, TimeUnit.SECONDS); // throws with the cause if it failed
            throw new IllegalStateException("the job ended: " + status);
        }
        for (Feed feed : List.of(reader, ticks, facilities)) {
            if (feed.failure.get() != null) {
                throw new IllegalStateException(feed.name + " failed: " + feed.failure.get().getMessage(), feed.failure.get());
            }
        }
    }

    private static void stop(JobClient job) {
        try {
            job.cancel().get(60, TimeUnit.SECONDS);
        } catch (Exception alreadyEnded) {
            // A job that failed cannot be cancelled; its own failure is what the bench reports.
        }
        try {
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (Exception cancelled) {
            // Cancelled on purpose: its result is an exception.
        }
    }

    /** The book is read when the job's source has committed (on a checkpoint) every facility-events offset. */
    private void awaitBookRead(Admin admin, JobClient job) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(Topics.FACILITY_EVENTS)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(Topics.FACILITY_EVENTS).partitions()
                .forEach(p -> latest.put(new TopicPartition(Topics.FACILITY_EVENTS, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        long deadline = System.nanoTime() + BOOK_LOAD_TIMEOUT.toNanos();
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            boolean read = ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
            if (read) {
                return;
            }
            JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                job.getJobExecutionResult().get(30, TimeUnit.SECONDS);
                throw new IllegalStateException("the job ended: " + status);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job did not read the book within " + BOOK_LOAD_TIMEOUT.toMinutes() + " minutes");
            }
            Thread.sleep(500);
        }
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        // Each record goes out when it is sent: its send time is where its latency starts.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Retries must keep each key's records in order: a tick out of order would be late.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(p);
    }

    /** Remembers the first failed send. */
    private static final class Sent implements Callback {
        final AtomicReference<Exception> failed = new AtomicReference<>();

        @Override
        public void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
            if (e != null) {
                failed.compareAndSet(null, e);
            }
        }

        void check() {
            if (failed.get() != null) {
                throw new IllegalStateException("publishing failed: " + failed.get().getMessage(), failed.get());
            }
        }
    }

    /** A thread of the bench; its failure stops the bench with a reason. */
    private abstract static class Feed implements AutoCloseable {
        final String name;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean running = true;
        private final Thread thread;

        Feed(String name) {
            this.name = name;
            this.thread = new Thread(() -> {
                try {
                    loop();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "bench-" + name);
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        abstract void loop() throws Exception;

        @Override
        public void close() throws Exception {
            running = false;
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** Price ticks at a steady rate: round-robin over pairs, then sources; each tick stamped with the wall clock. */
    private static final class TickFeed extends Feed {
        private final String bootstrap;
        private final BenchMarket market;
        private final int perSecond;
        private final TickLatencies latencies;
        private final AtomicInteger scenario;
        private final AtomicLong sent = new AtomicLong();

        TickFeed(String bootstrap, BenchMarket market, int perSecond, TickLatencies latencies, AtomicInteger scenario) {
            super("tick producer");
            this.bootstrap = bootstrap;
            this.market = market;
            this.perSecond = perSecond;
            this.latencies = latencies;
            this.scenario = scenario;
            start();
        }

        long sent() {
            return sent.get();
        }

        @Override
        void loop() {
            List<String> pairs = market.pairs();
            int sources = BenchMarket.SOURCES.size();
            long[][] lastEventTime = new long[pairs.size()][sources];
            Random noise = new Random(SEED);
            Sent callback = new Sent();
            long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
            long startMillis = System.currentTimeMillis();
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                long next = System.nanoTime();
                for (long i = 0; running; i++) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                        // Far behind (the machine is busy): go on from now rather than send a burst.
                        next = System.nanoTime();
                    }
                    next += interval;
                    int pair = (int) (i % pairs.size());
                    int source = (int) ((i / pairs.size()) % sources);
                    long now = System.currentTimeMillis();
                    // Never older than the source's previous tick: at outOfOrder 0 s that would be late.
                    long t = Math.max(now, lastEventTime[pair][source]);
                    lastEventTime[pair][source] = t;
                    String json = BenchMarket.tick(pairs.get(pair), BenchMarket.SOURCES.get(source), t,
                            BenchMarket.price(pair, t - startMillis, noise));
                    long sentAt = System.currentTimeMillis();
                    latencies.sent(pairs.get(pair), t, sentAt, scenario.get());
                    producer.send(new ProducerRecord<>(Topics.PRICES, pairs.get(pair), json), callback);
                    sent.incrementAndGet();
                    callback.check();
                }
            }
        }
    }

    /** Facility events at the scenario's rate: a new collateral version of a random facility, its amount unchanged. */
    private static final class FacilityFeed extends Feed {
        private final String bootstrap;
        private final List<BenchMarket.Facility> facilities;
        private volatile Traffic traffic = Traffic.SILENT;
        private final AtomicLong lastSent = new AtomicLong(System.nanoTime());

        FacilityFeed(String bootstrap, List<BenchMarket.Facility> facilities) {
            super("facility producer");
            this.bootstrap = bootstrap;
            this.facilities = facilities;
            start();
        }

        void traffic(Traffic t) {
            traffic = t;
        }

        /** When the last facility event was sent ({@link System#nanoTime()}); the book counts as one. */
        long lastSent() {
            return lastSent.get();
        }

        @Override
        void loop() throws Exception {
            Random random = new Random(SEED + 1);
            long[] versions = new long[facilities.size()];
            Sent callback = new Sent();
            try (KafkaProducer<String, String> producer = producer(bootstrap)) {
                Traffic current = null;
                long next = 0;
                long interval = 0;
                while (running) {
                    Traffic t = traffic;
                    if (t != current) {
                        current = t;
                        interval = t.perSecond == 0 ? 0 : (long) (TimeUnit.SECONDS.toNanos(1) / t.perSecond);
                        next = System.nanoTime() + interval;
                    }
                    if (interval == 0) {
                        Thread.sleep(50);
                        continue;
                    }
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
                        continue;
                    }
                    if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                        next = System.nanoTime();
                    }
                    next += interval;
                    int k = random.nextInt(facilities.size());
                    BenchMarket.Facility f = facilities.get(k);
                    // The book's collateral is version 1.
                    versions[k] = Math.max(versions[k], 1) + 1;
                    producer.send(new ProducerRecord<>(Topics.FACILITY_EVENTS, f.id(),
                            BenchMarket.collateralUpdate(f, versions[k], System.currentTimeMillis())), callback);
                    lastSent.set(System.nanoTime());
                    callback.check();
                }
            }
        }
    }

    /** Reads the two topics as a downstream consumer would, and hands each record to {@link TickLatencies} as it becomes visible. */
    private static final class OutputReader extends Feed {
        private final String bootstrap;
        private final DeliveryGuarantee delivery;
        private final TickLatencies latencies;

        OutputReader(String bootstrap, DeliveryGuarantee delivery, TickLatencies latencies) {
            super("output consumer");
            this.bootstrap = bootstrap;
            this.delivery = delivery;
            this.latencies = latencies;
            start();
        }

        @Override
        void loop() throws Exception {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP + "-reader");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                    delivery == DeliveryGuarantee.EXACTLY_ONCE ? "read_committed" : "read_uncommitted");
            // A fetch waits at most this long for records: it bounds the error of the visible time.
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : List.of(Topics.REFERENCE_PRICES, Topics.MARGIN_CALLS)) {
                    for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                        partitions.add(new TopicPartition(topic, info.partition()));
                    }
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                while (running) {
                    var records = consumer.poll(Duration.ofMillis(50));
                    long visibleAt = System.currentTimeMillis();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        if (r.key() == null || r.value() == null) {
                            continue;
                        }
                        // The sink stamps every record with its event time.
                        if (r.topic().equals(Topics.REFERENCE_PRICES)) {
                            latencies.referencePrice(new String(r.key(), StandardCharsets.UTF_8), r.timestamp(), visibleAt);
                        } else {
                            JsonNode n = Json.mapper().readTree(r.value());
                            JsonNode evaluation = n.get("evaluationId");
                            if (evaluation != null && evaluation.isTextual()) {
                                latencies.lifecycleEvent(n.path("eventId").asText(), n.path("pair").asText(), r.timestamp(),
                                        evaluation.asText(), visibleAt);
                            }
                        }
                    }
                }
            }
        }
    }
}

package io.collateralrisk.jobs.kafka;

import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Keeps a pair's prices ticking while a live test waits, as a real feed does: one tick per source
 * every half second of wall time, each 100 ms of event time after the last. Without it, a test that
 * publishes a burst and then waits lets every input go idle at about the same moment, and Flink's
 * combined watermark does not move once all inputs of an operator are idle: the LTV stage would
 * stay at whichever clock went idle last.
 */
final class TickHeartbeat implements AutoCloseable {

    private static final long WALL_PERIOD_MS = 500;
    private static final long EVENT_STEP_MS = 100;

    private final KafkaProducer<String, String> producer;
    private final ScheduledExecutorService timer;

    /**
     * @param priceBySource exchange source to the price it keeps quoting
     * @param fromMillis event time of the first heartbeat tick
     */
    TickHeartbeat(String bootstrapServers, String pair, Map<String, String> priceBySource, long fromMillis) {
        this(bootstrapServers, null, pair, priceBySource, fromMillis);
    }

    /** @param partition the {@code prices} partition to tick on; null for the pair's own (by key) */
    TickHeartbeat(String bootstrapServers, Integer partition, String pair, Map<String, String> priceBySource, long fromMillis) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer = new KafkaProducer<>(p);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tick-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long[] next = {fromMillis};
        timer.scheduleAtFixedRate(() -> {
            long t = next[0];
            next[0] += EVENT_STEP_MS;
            priceBySource.forEach((source, price) -> producer.send(new ProducerRecord<>(Topics.PRICES, partition, pair,
                    "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + Times.format(t) + "\",\"pair\":\"" + pair + "\",\"source\":\""
                            + source + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price + "\"}")));
            producer.flush();
        }, 0, WALL_PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(10, TimeUnit.SECONDS);
        producer.close();
    }
}

package io.collateralrisk.jobs.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.jobs.data.BundledPrices;
import io.collateralrisk.jobs.data.LoanBook;
import io.collateralrisk.model.Topics;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One real day for the live Kafka tests, 10 March 2023 on BTC-USD: the bundled exchange candles and
 * oracle ticks of the day, a seeded book of {@value #FACILITIES} facilities opened a minute before
 * (LTV 0.40 to 0.95 at the day's opening price: margin calls and liquidations happen), and
 * {@link #BAD_RECORDS} among the prices at noon.
 */
final class RealDay {

    static final String PAIR = "BTC-USD";
    static final long START = Instant.parse("2023-03-10T00:00:00Z").toEpochMilli();
    static final long END = START + 86_400_000L;
    static final long SEED = 20230310L;
    static final int FACILITIES = 60;
    static final List<String> BAD_RECORDS = List.of(
            "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-10T10:00:00\",\"pair\":\"BTC-USD\",\"source\":\"coinbase\",\"kind\":\"EXCHANGE\",\"price\":\"20000\"}",
            "{\"type\":\"PRICE_TICK\",\"eventTime\":\"2023-03-10T10:00:00Z\",\"pair\":\"BTC-USD\",\"source\":\"kraken\",\"kind\":\"EXCHANGE\",\"price\":\"-5\"}",
            "not json at all");
    private static final BigDecimal OPENING_PRICE = new BigDecimal("20360");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The day's price ticks, in event-time order. */
    final List<String> ticks;
    /** The loan book's facility events. */
    final List<String> book;

    private RealDay(List<String> ticks, List<String> book) {
        this.ticks = ticks;
        this.book = book;
    }

    static RealDay load() throws Exception {
        List<String> ticks = BundledPrices.merge(List.of(
                        BundledPrices.exchangeTicks(PAIR, BundledPrices.MARCH_2023_BTC_USD),
                        BundledPrices.oracleTicks(PAIR, BundledPrices.MARCH_2023_BTC_USDC)))
                .stream().filter(line -> {
                    long t = BundledPrices.eventTime(line);
                    return t >= START && t < END;
                }).toList();
        List<String> book = new LoanBook(SEED, FACILITIES, PAIR, OPENING_PRICE, START - 60_000,
                new BigDecimal("0.40"), new BigDecimal("0.95")).events();
        return new RealDay(ticks, book);
    }

    /** The last tick's event time: where the job's event time ends. */
    long horizon() {
        return ticks.stream().mapToLong(BundledPrices::eventTime).max().orElseThrow();
    }

    /** Records on {@code prices}: the ticks and the malformed ones. */
    int priceRecords() {
        return ticks.size() + BAD_RECORDS.size();
    }

    Set<String> facilityIds() throws Exception {
        Set<String> ids = new TreeSet<>();
        for (String event : book) {
            ids.add(JSON.readTree(event).get("facilityId").asText());
        }
        return ids;
    }

    /**
     * Publishes the book keyed by facility, then the ticks keyed by pair with the malformed records
     * half way, each stamped with its event time, and waits until the broker has every record.
     */
    void publish(KafkaTestCluster kafka) throws Exception {
        publish(kafka, List.of());
    }

    /** A record published with the day, with the Kafka timestamp given. */
    record Stamped(String topic, String key, long timestamp, String value) {}

    /**
     * The same, with {@code extra} records mixed in: each facility-events one after the book, each
     * prices one before the first tick whose event time passes its timestamp.
     */
    void publish(KafkaTestCluster kafka, List<Stamped> extra) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // A new topic's first produce can be refused (NOT_LEADER_OR_FOLLOWER): one request in
        // flight keeps each key's records in order through the retries.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (String event : book) {
                String facility = JSON.readTree(event).get("facilityId").asText();
                sent.add(producer.send(new ProducerRecord<>(Topics.FACILITY_EVENTS, null, BundledPrices.eventTime(event), facility, event)));
            }
            for (Stamped e : extra) {
                if (e.topic().equals(Topics.FACILITY_EVENTS)) {
                    sent.add(producer.send(new ProducerRecord<>(e.topic(), null, e.timestamp(), e.key(), e.value())));
                }
            }
            List<Stamped> extraPrices = new ArrayList<>(extra.stream().filter(e -> e.topic().equals(Topics.PRICES)).toList());
            int i = 0;
            for (String tick : ticks) {
                long t = BundledPrices.eventTime(tick);
                for (var it = extraPrices.iterator(); it.hasNext(); ) {
                    Stamped e = it.next();
                    if (t > e.timestamp()) {
                        sent.add(producer.send(new ProducerRecord<>(e.topic(), null, e.timestamp(), e.key(), e.value())));
                        it.remove();
                    }
                }
                sent.add(producer.send(new ProducerRecord<>(Topics.PRICES, null, BundledPrices.eventTime(tick), PAIR, tick)));
                if (++i == ticks.size() / 2) {
                    for (String bad : BAD_RECORDS) {
                        sent.add(producer.send(new ProducerRecord<>(Topics.PRICES, null, START + 43_200_000L, PAIR, bad)));
                    }
                }
            }
            producer.flush();
        }
        for (Future<RecordMetadata> f : sent) {
            f.get(30, TimeUnit.SECONDS); // throws if a record was not written
        }
    }
}

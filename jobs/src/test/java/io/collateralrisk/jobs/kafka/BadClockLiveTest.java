package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collateralrisk.jobs.RiskJob;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.Topics;
import io.collateralrisk.model.config.RiskConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad clocks live: one real day ({@link RealDay}: 10 March 2023, a book of 60 facilities opened a
 * minute before, whose margin calls are still in their 48-hour cure at the end of the day) on a real
 * broker and a MiniCluster with the restart strategy none, run twice: as it is, and with records
 * stamped before 1970, years ahead and two minutes ahead mixed into {@code prices} (at noon) and
 * {@code facility-events} (after the book). The second run must finish without a restart, refuse
 * exactly the bad records with their reasons, and write the same alerts, by event id, as the first.
 *
 * <p>The reference clock live is the Kafka timestamp, which production input topics take from the
 * broker (LogAppendTime). This day is history: the broker's clock reads today, years after every
 * record, so it could tell no record of 2023 ahead of its neighbours. The test's topics therefore
 * keep CreateTime ({@code TopicLayout.configsKeepingHistory}) and the producer stamps each record
 * with the time the broker would have given it on the day: a good record its event time, a bad
 * record the event time of the good records around it.
 */
class BadClockLiveTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOON = RealDay.START + 43_200_000L;
    /** When the book's events were written: a minute before the day. */
    private static final long BOOKED = RealDay.START - 60_000L;

    /** A bad record and the reason it must be refused with. */
    private record Bad(RealDay.Stamped record, String reason) {}

    private static List<Bad> bad;
    private static Map<String, Map<String, ConsumerRecord<String, String>>> clean;
    private static Map<String, Map<String, ConsumerRecord<String, String>>> withBadClocks;

    @BeforeAll
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    static void runTheDayWithAndWithoutBadClocks() throws Exception {
        RealDay day = RealDay.load();
        String facility = day.facilityIds().iterator().next();
        bad = List.of(
                new Bad(price(NOON, "1969-12-31T23:59:00Z", "coinbase", "20100"), "INVALID_TIME:eventTime"),
                new Bad(price(NOON, "2031-03-10T12:00:00Z", "kraken", "20100"), "FUTURE_EVENT"),
                new Bad(price(NOON, Times.format(NOON + 120_000), "binanceus", "15000"), "FUTURE_EVENT"),
                new Bad(debt(facility, "1969-07-20T20:17:00Z", "1.00", 5), "INVALID_TIME:eventTime"),
                new Bad(debt(facility, "2031-03-10T00:00:00Z", "1.00", 6), "FUTURE_EVENT"),
                new Bad(debt(facility, Times.format(BOOKED + 120_000), "1000000.00", 7), "FUTURE_EVENT"));
        clean = run(day, List.of());
        withBadClocks = run(day, bad.stream().map(Bad::record).toList());
    }

    @Test
    void theAlertsAreTheSameAsWithoutTheBadRecords() {
        assertThat(clean.get(Topics.MARGIN_CALLS)).as("the day issues margin calls").isNotEmpty();
        assertThat(clean.get(Topics.MARGIN_CALLS).values()).as("still in their cure period at the end of the day")
                .anyMatch(r -> type(r).equals("MARGIN_CALL_ISSUED"));
        for (String topic : List.of(Topics.MARGIN_CALLS, Topics.LTV, Topics.PRICE_ALERTS, Topics.DIVERGENCE, Topics.REFERENCE_PRICES)) {
            assertThat(withBadClocks.get(topic).keySet()).as(topic).isEqualTo(clean.get(topic).keySet());
        }
    }

    @Test
    void noDeadlineFiresEarly() {
        // A cure deadline is 48 h after its margin call: none falls within the day.
        assertThat(withBadClocks.get(Topics.MARGIN_CALLS).values()).noneMatch(r -> r.value() != null && r.value().contains("CURE_EXPIRED"));
        assertThat(withBadClocks.get(Topics.MARGIN_CALLS).values()).allMatch(r -> r.timestamp() < RealDay.END);
        // The day's deadlines that do fall within it (a triggered liquidation unconfirmed after 30
        // minutes, a hold escalated) fire at the same instants as without the bad records.
        Map<String, Long> clean = deadlines(BadClockLiveTest.clean);
        assertThat(clean).as("deadlines within the day").isNotEmpty();
        assertThat(deadlines(withBadClocks)).isEqualTo(clean);
    }

    private static Map<String, Long> deadlines(Map<String, Map<String, ConsumerRecord<String, String>>> run) {
        Map<String, Long> fired = new TreeMap<>();
        run.get(Topics.MARGIN_CALLS).forEach((id, r) -> {
            String type = type(r);
            if (type.equals("LIQUIDATION_UNCONFIRMED") || type.equals("LIQUIDATION_HOLD_ESCALATED")) {
                fired.put(id, r.timestamp());
            }
        });
        return fired;
    }

    @Test
    void everyBadRecordIsADeadLetterWithItsReasonStampedWithItsReferenceClock() throws Exception {
        // Besides RealDay's malformed records, whose ids name their offsets, which the bad records moved.
        Map<String, ConsumerRecord<String, String>> byPayload = new TreeMap<>();
        for (ConsumerRecord<String, String> r : withBadClocks.get(Topics.DEAD_LETTER).values()) {
            String payload = JSON.readTree(r.value()).get("payload").asText();
            if (!RealDay.BAD_RECORDS.contains(payload)) {
                byPayload.put(payload, r);
            }
        }
        assertThat(byPayload).hasSameSizeAs(bad);
        for (Bad b : bad) {
            ConsumerRecord<String, String> d = byPayload.get(b.record().value());
            assertThat(d).as(b.record().value()).isNotNull();
            JsonNode n = JSON.readTree(d.value());
            assertThat(n.get("reason").asText()).as(b.record().value()).isEqualTo(b.reason());
            assertThat(n.get("topic").asText()).isEqualTo(b.record().topic());
            assertThat(d.timestamp()).as("the Kafka timestamp of " + b.record().value()).isEqualTo(b.record().timestamp());
            assertThat(Times.parseIso(n.get("eventTime").asText())).isEqualTo(b.record().timestamp());
        }
        // No later good tick was late: the only refusals besides the bad clocks are RealDay's malformed records.
        assertThat(withBadClocks.get(Topics.DEAD_LETTER).values()).extracting(BadClockLiveTest::reason).doesNotContain("LATE_EVENT");
        assertThat(clean.get(Topics.DEAD_LETTER)).hasSize(RealDay.BAD_RECORDS.size());
    }

    // ---------------------------------------------------------------------------------------------

    private static RealDay.Stamped price(long neighbours, String eventTime, String source, String price) {
        String json = "{\"type\":\"PRICE_TICK\",\"eventTime\":\"" + eventTime + "\",\"pair\":\"" + RealDay.PAIR + "\",\"source\":\""
                + source + "\",\"kind\":\"EXCHANGE\",\"price\":\"" + price + "\"}";
        return new RealDay.Stamped(Topics.PRICES, RealDay.PAIR, neighbours, json);
    }

    private static RealDay.Stamped debt(String facility, String eventTime, String outstanding, int version) {
        String json = "{\"type\":\"DEBT_UPDATED\",\"eventTime\":\"" + eventTime + "\",\"facilityId\":\"" + facility
                + "\",\"outstanding\":\"" + outstanding + "\",\"version\":" + version + "}";
        return new RealDay.Stamped(Topics.FACILITY_EVENTS, facility, BOOKED, json);
    }

    /**
     * The day on a fresh broker, bounded, at-least-once (nothing fails here; no checkpoint to wait
     * for), and the records the job wrote: per output topic, by event id.
     */
    private static Map<String, Map<String, ConsumerRecord<String, String>>> run(RealDay day, List<RealDay.Stamped> extra) throws Exception {
        try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
            day.publish(kafka, extra);
            var before = kafka.logEndOffsets(kafka.outputPartitions());
            Configuration conf = RiskJob.baseConfiguration();
            conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
            // A record that crashed the job would fail the run rather than restart it forever.
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            KafkaPipeline.build(env, kafka.bootstrapServers(), "bad-clocks", RiskConfig.defaults(), DeliveryGuarantee.AT_LEAST_ONCE, true,
                    day.horizon(), null);
            env.execute("bad clocks");

            Map<String, Map<String, ConsumerRecord<String, String>>> byTopic = new TreeMap<>();
            Topics.OUTPUTS.forEach(t -> byTopic.put(t, new TreeMap<>()));
            List<String> twice = new ArrayList<>();
            for (ConsumerRecord<String, String> r : kafka.readCommitted(before).records()) {
                if (byTopic.get(r.topic()).put(eventId(r), r) != null) {
                    twice.add(eventId(r));
                }
            }
            assertThat(twice).as("event ids written twice").isEmpty();
            return byTopic;
        }
    }

    private static String eventId(ConsumerRecord<String, String> r) {
        if (r.value() == null) {
            return "tombstone " + r.key() + "@" + Times.format(r.timestamp());
        }
        return field(r, "eventId");
    }

    private static String type(ConsumerRecord<String, String> r) {
        return r.value() == null ? "" : field(r, "type");
    }

    private static String reason(ConsumerRecord<String, String> r) {
        return field(r, "reason");
    }

    private static String field(ConsumerRecord<String, String> r, String name) {
        try {
            return JSON.readTree(r.value()).get(name).asText();
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + r.value(), e);
        }
    }
}

package io.collateralrisk.jobs.input;

import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.InputParser;
import io.collateralrisk.model.json.InvalidInputException;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;

/**
 * The price clock, made where the records are read: the Kafka source runs one generator per
 * partition, so a partition read behind the others holds the clock back instead of seeing its
 * ticks overtaken, and the source's watermark is the lowest of its active partitions'. A partition
 * without records for {@code live.idleTimeout} is idle and holds no one back.
 *
 * <p>Each generator is bounded out-of-orderness over the records the {@link ClockGuard} accepts:
 * a record that does not parse as a price tick, or whose event time is before 1970 or more than
 * {@code lateness.maxAhead} ahead of its Kafka timestamp, moves nothing; an accepted one moves the
 * clock no further than its Kafka timestamp. The watermark leaves as soon as a record moves it
 * (not at the next periodic emit), so a tick's evaluation waits for {@code outOfOrder} and nothing
 * else.
 */
public final class PriceSourceWatermarks implements WatermarkStrategy<InputRecord> {

    private final RiskConfig config;
    /** Live only; null for a bounded read of history. */
    private final Duration idleTimeout;

    private PriceSourceWatermarks(RiskConfig config, Duration idleTimeout) {
        this.config = config;
        this.idleTimeout = idleTimeout;
    }

    /**
     * The strategy for the {@code prices} source.
     *
     * @param live unbounded: a partition quiet for {@code live.idleTimeout} is idle; a bounded read
     *     of history has no idleness (an empty partition ends at once, and its end releases the
     *     others), so no partition is passed by accident of reading speed
     */
    public static WatermarkStrategy<InputRecord> of(RiskConfig config, boolean live) {
        return new PriceSourceWatermarks(config, live ? Duration.ofMillis(config.idleTimeoutMs()) : null);
    }

    /**
     * The record's timestamp: its event time when the record is an accepted price tick; otherwise
     * {@link ClockGuard#UNKNOWN}, which no generator counts (parsing refuses such a record anyway).
     */
    @Override
    public TimestampAssigner<InputRecord> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
        InputParser parser = new InputParser(config);
        long maxAhead = config.maxAheadMs();
        return (record, ignored) -> {
            long eventTime;
            try {
                eventTime = parser.parsePrice(record.payload()).eventTime();
            } catch (InvalidInputException | RuntimeException e) {
                return ClockGuard.UNKNOWN;
            }
            return ClockGuard.refusal(eventTime, record.referenceClock(), maxAhead) == null ? eventTime : ClockGuard.UNKNOWN;
        };
    }

    /**
     * Refused records never reach the generator, nor its idleness: a partition that carries nothing
     * but records with broken clocks (or for pairs not configured) is as quiet as an empty one, and
     * goes idle instead of holding the clock where it was.
     */
    @Override
    public WatermarkGenerator<InputRecord> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
        WatermarkGenerator<InputRecord> clock = new Generator(config.outOfOrderMs());
        if (idleTimeout != null) {
            clock = new WatermarksWithIdleness<>(clock, idleTimeout, context.getInputActivityClock());
        }
        WatermarkGenerator<InputRecord> accepted = clock;
        return new WatermarkGenerator<>() {
            @Override
            public void onEvent(InputRecord record, long eventTime, WatermarkOutput output) {
                if (eventTime != ClockGuard.UNKNOWN) {
                    accepted.onEvent(record, eventTime, output);
                }
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                accepted.onPeriodicEmit(output);
            }
        };
    }

    /** Bounded out-of-orderness over accepted records, emitted as soon as it moves. */
    static final class Generator implements WatermarkGenerator<InputRecord> {

        private final long outOfOrderMs;
        private long maxClockTime = Long.MIN_VALUE;

        Generator(long outOfOrderMs) {
            this.outOfOrderMs = outOfOrderMs;
        }

        @Override
        public void onEvent(InputRecord record, long eventTime, WatermarkOutput output) {
            long clockTime = ClockGuard.watermarkTime(eventTime, record.referenceClock());
            if (clockTime > maxClockTime) {
                maxClockTime = clockTime;
                emit(output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            emit(output);
        }

        private void emit(WatermarkOutput output) {
            if (maxClockTime == Long.MIN_VALUE) {
                return;
            }
            // Re-emitted periodically too: after an idle spell, that is what marks the partition active again.
            output.emitWatermark(new Watermark(maxClockTime - outOfOrderMs - 1));
        }
    }
}

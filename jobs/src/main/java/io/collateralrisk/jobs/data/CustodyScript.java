package io.collateralrisk.jobs.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.collateralrisk.model.CustodySnapshot;
import io.collateralrisk.model.Times;
import io.collateralrisk.model.json.Json;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Seeded {@code custody-snapshots} for the bundled March 2023 days: three custodies of one pool,
 * a snapshot of each every five minutes of event time from 9 March 00:00 to 14 March 23:55, with
 * increasing slots (a Solana slot is about 400 ms), amounts in base units drifting at random
 * around plausible sizes, and a scripted story ({@link #scenes()}):
 *
 * <pre>
 * custody          mint decimals  optional fields                            story
 * main-pool/USDC   6              positionCollateral, tokenAccountBalance,   TOKEN_ACCOUNT_RECONCILES broken 10 Mar 14:00,
 *                                 tradeBlockageUtilizationBps 8000             restored 14:20 (250,000 USDC out, not booked);
 *                                                                            TRADE_BLOCKAGE 11 Mar 03:00 (utilization 81% to
 *                                                                            86% over the de-peg night), cleared 09:00;
 *                                                                            a stale slot 12 Mar 12:00 (a lagging node resends
 *                                                                            the snapshot of ten minutes before)
 * main-pool/BTC    8              positionCollateral, tokenAccountBalance    userLosses up 0.35 BTC 10 Mar 11:00 (the drop's
 *                                                                            liquidations fell short)
 * main-pool/TAIL   9              none (those invariants are not evaluated)  none; owned about 1.2e19 base units, above 2^63
 * </pre>
 *
 * Outside the story every invariant holds ({@code owned = base + positionCollateral},
 * {@code owned + feeReserves = tokenAccountBalance}, {@code base >= locked}, losses constant) and
 * utilization stays at 60% or less. The event times are those of the story whatever the seed; the
 * seed moves only the amounts and the slots' jitter.
 */
public final class CustodyScript {

    public static final long FROM = Times.parseIso("2023-03-09T00:00:00Z");
    /** Exclusive: the bundled prices end at 14 March 23:59. */
    public static final long UNTIL = Times.parseIso("2023-03-15T00:00:00Z");
    public static final long EVERY = 5 * 60_000L;
    /** A Solana slot near 9 March 2023 00:00 UTC. */
    static final long FIRST_SLOT = 180_800_000L;
    static final long SLOT_MILLIS = 400;

    public static final String USDC = "main-pool/USDC";
    public static final String BTC = "main-pool/BTC";
    public static final String TAIL = "main-pool/TAIL";

    /** What happens at a scripted snapshot, as the custody rules should see it. */
    public enum Beat { INVARIANT_BROKEN, INVARIANT_RESTORED, LOSS_RECORDED, TRADE_BLOCKAGE, TRADE_BLOCKAGE_CLEARED, STALE_SLOT }

    /**
     * One scripted moment.
     *
     * @param subject the invariant for {@code INVARIANT_*}, the loss field for {@code LOSS_RECORDED}, else empty
     */
    public record Scene(String custody, long eventTime, Beat beat, String subject) {
        @Override
        public String toString() {
            return Times.format(eventTime) + " " + custody + " " + beat + (subject.isEmpty() ? "" : " " + subject);
        }
    }

    static final long RECONCILE_BROKEN = Times.parseIso("2023-03-10T14:00:00Z");
    static final long RECONCILE_RESTORED = Times.parseIso("2023-03-10T14:20:00Z");
    static final BigInteger UNBOOKED_OUTFLOW = BigInteger.valueOf(250_000_000_000L); // 250,000 USDC
    static final long BLOCKAGE = Times.parseIso("2023-03-11T03:00:00Z");
    static final long BLOCKAGE_CLEARED = Times.parseIso("2023-03-11T09:00:00Z");
    static final long STALE = Times.parseIso("2023-03-12T12:00:00Z");
    static final long LOSS = Times.parseIso("2023-03-10T11:00:00Z");
    static final BigInteger LOSS_AMOUNT = BigInteger.valueOf(35_000_000L); // 0.35 BTC

    public static final List<Scene> SCENES = List.of(
            new Scene(BTC, LOSS, Beat.LOSS_RECORDED, "userLosses"),
            new Scene(USDC, RECONCILE_BROKEN, Beat.INVARIANT_BROKEN, "TOKEN_ACCOUNT_RECONCILES"),
            new Scene(USDC, RECONCILE_RESTORED, Beat.INVARIANT_RESTORED, "TOKEN_ACCOUNT_RECONCILES"),
            new Scene(USDC, BLOCKAGE, Beat.TRADE_BLOCKAGE, ""),
            new Scene(USDC, BLOCKAGE_CLEARED, Beat.TRADE_BLOCKAGE_CLEARED, ""),
            new Scene(USDC, STALE, Beat.STALE_SLOT, ""));

    /** One custody: its token, sizes in whole tokens, and what its snapshots carry. */
    private record Pool(String custody, String mint, int decimals, long base, long positionCollateral, long insurance,
            long impairmentLosses, long userLosses, long feeReserves, int utilizationBps, boolean optionalFields, Integer blockageBps) {}

    private static final List<Pool> POOLS = List.of(
            new Pool(USDC, "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", 6, 180_000_000L, 40_000_000L, 2_000_000L, 12_500L, 3_100L,
                    120_000L, 5_500, true, 8_000),
            new Pool(BTC, "3NZ9JMVBmGAqocybic2c7LQCJScmgsAZ6vQqTDzcqmJh", 8, 2_400L, 600L, 40L, 0L, 1L, 3L, 4_700, true, null),
            new Pool(TAIL, "TA1LDemoMint111111111111111111111111111111", 9, 11_000_000_000L, 1_000_000_000L, 50_000_000L, 0L, 0L,
                    2_000_000L, 2_500, false, null));

    private final long seed;
    private final List<String> lines;

    private CustodyScript(long seed) {
        this.seed = seed;
        Random random = new Random(seed);
        record Line(long time, int pool, String json) {}
        List<Line> out = new ArrayList<>();
        for (int p = 0; p < POOLS.size(); p++) {
            Pool pool = POOLS.get(p);
            BigInteger unit = BigInteger.TEN.pow(pool.decimals());
            BigInteger base = BigInteger.valueOf(pool.base()).multiply(unit);
            BigInteger collateral = BigInteger.valueOf(pool.positionCollateral()).multiply(unit);
            BigInteger fees = BigInteger.valueOf(pool.feeReserves()).multiply(unit);
            BigInteger userLosses = BigInteger.valueOf(pool.userLosses()).multiply(unit);
            // Steps of the random walks: a ten-thousandth of the size.
            BigInteger baseStep = base.divide(BigInteger.valueOf(10_000));
            BigInteger collateralStep = collateral.divide(BigInteger.valueOf(10_000));
            BigInteger feeStep = fees.divide(BigInteger.valueOf(10_000));
            List<ObjectNode> applied = new ArrayList<>();
            for (long t = FROM; t < UNTIL; t += EVERY) {
                if (pool.custody().equals(USDC) && t == STALE) {
                    // A lagging node resends the snapshot of ten minutes before: an older slot, older amounts.
                    ObjectNode resent = applied.get(applied.size() - 2).deepCopy().put("eventTime", Times.format(t));
                    out.add(new Line(t, p, json(resent)));
                    continue;
                }
                base = base.add(baseStep.multiply(BigInteger.valueOf(random.nextInt(21) - 10)));
                collateral = collateral.add(collateralStep.multiply(BigInteger.valueOf(random.nextInt(21) - 10)));
                fees = fees.add(feeStep.multiply(BigInteger.valueOf(random.nextInt(5))));
                if (pool.custody().equals(BTC) && t == LOSS) {
                    userLosses = userLosses.add(LOSS_AMOUNT);
                }
                boolean blocked = pool.custody().equals(USDC) && t >= BLOCKAGE && t < BLOCKAGE_CLEARED;
                int utilizationBps = blocked ? 8_100 + random.nextInt(500) : pool.utilizationBps() - 500 + random.nextInt(1_001);
                BigInteger locked = base.multiply(BigInteger.valueOf(utilizationBps)).divide(BigInteger.valueOf(10_000));
                BigInteger owned = base.add(collateral);
                BigInteger tokenAccount = owned.add(fees);
                if (pool.custody().equals(USDC) && t >= RECONCILE_BROKEN && t < RECONCILE_RESTORED) {
                    tokenAccount = tokenAccount.subtract(UNBOOKED_OUTFLOW);
                }
                long slot = FIRST_SLOT + (t - FROM) / SLOT_MILLIS + random.nextInt(20);
                ObjectNode n = Json.mapper().createObjectNode()
                        .put("type", CustodySnapshot.TYPE)
                        .put("eventTime", Times.format(t))
                        .put("custody", pool.custody())
                        .put("mint", pool.mint())
                        .put("slot", slot)
                        .put("insurance", BigInteger.valueOf(pool.insurance()).multiply(unit).toString())
                        .put("impairmentLosses", BigInteger.valueOf(pool.impairmentLosses()).multiply(unit).toString())
                        .put("userLosses", userLosses.toString())
                        .put("owned", owned.toString())
                        .put("base", base.toString())
                        .put("locked", locked.toString())
                        .put("longed", locked.multiply(BigInteger.valueOf(3)).divide(BigInteger.valueOf(5)).toString())
                        .put("shorted", locked.multiply(BigInteger.valueOf(2)).divide(BigInteger.valueOf(5)).toString())
                        .put("guaranteedUsd", collateral.divide(BigInteger.TWO).toString())
                        .put("feeReserves", fees.toString());
                if (pool.optionalFields()) {
                    n.put("positionCollateral", collateral.toString()).put("tokenAccountBalance", tokenAccount.toString());
                }
                if (pool.blockageBps() != null) {
                    n.put("tradeBlockageUtilizationBps", pool.blockageBps().intValue());
                }
                applied.add(n);
                out.add(new Line(t, p, json(n)));
            }
        }
        out.sort(Comparator.comparingLong(Line::time).thenComparingInt(Line::pool));
        this.lines = out.stream().map(Line::json).toList();
    }

    public static CustodyScript generate(long seed) {
        return new CustodyScript(seed);
    }

    public long seed() {
        return seed;
    }

    /** The {@code custody-snapshots} lines, in event-time order (custodies in a fixed order at one time). */
    public List<String> snapshots() {
        return lines;
    }

    /** What the story puts where, in event-time order; every other snapshot changes no state of the custody rules. */
    public List<Scene> scenes() {
        return SCENES.stream().sorted(Comparator.comparingLong(Scene::eventTime)).toList();
    }

    /** The Kafka key of a line of {@link #snapshots()}: its {@code custody}. */
    public static String key(String line) {
        return WalletBook.field(line, "custody");
    }

    public List<String> custodies() {
        return POOLS.stream().map(Pool::custody).toList();
    }

    /** A few lines for a terminal. */
    public String render() {
        StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT, "Custody snapshots: %,d of %s, every %d minutes from %s to %s%n",
                lines.size(), String.join(", ", custodies()), EVERY / 60_000, Times.format(FROM),
                Times.format(UNTIL - EVERY)));
        for (Scene scene : scenes()) {
            s.append("                   ").append(scene).append(System.lineSeparator());
        }
        return s.toString();
    }

    private static String json(ObjectNode n) {
        try {
            return Json.mapper().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.collateralrisk.solvency.custody;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.CustodySnapshot;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Long random sequences of snapshots (seeded), their amounts drawn close together around an
 * offset beyond 64 bits so that every boundary is hit often, with optional fields coming and
 * going, thresholds changing and stale slots mixed in. The rules' events must equal those of a
 * plain restatement of the spec written here with direct comparisons.
 */
class CustodyRulesSequenceTest {

    private static final BigDecimal CONFIGURED = new BigDecimal("0.8");
    private static final BigInteger OFFSET = BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(12_345));

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 20240311})
    void eventsEqualTheSpecRestatedStepByStep(long seed) {
        Random random = new Random(seed);
        CustodyRules rules = new CustodyRules(CONFIGURED, "hash", "version");
        CustodyPoolState state = new CustodyPoolState();
        Reference reference = new Reference();
        Set<String> ids = new HashSet<>();
        Set<String> seen = new HashSet<>();
        long slot = 100;
        for (int step = 0; step < 3_000; step++) {
            boolean stale = step > 0 && random.nextInt(10) == 0;
            long at = stale ? slot - random.nextInt(3) : (slot += 1 + random.nextInt(3));
            CustodySnapshot s = snapshot(random, at);
            CustodyOutcome outcome = rules.onSnapshot(state, s);
            List<String> expected = reference.apply(s);
            if (stale) {
                assertThat(outcome.status()).as("step %d", step).isEqualTo(CustodyOutcome.Status.STALE_SLOT);
                assertThat(expected).isNull();
                continue;
            }
            assertThat(outcome.status()).as("step %d", step).isEqualTo(CustodyOutcome.Status.APPLIED);
            List<String> actual = outcome.events().stream().map(CustodyRulesSequenceTest::describe).toList();
            assertThat(actual).as("step %d, slot %d: %s", step, at, s.amounts()).isEqualTo(expected);
            for (CustodyEvent e : outcome.events()) {
                assertThat(ids.add(e.eventId())).as("unique id").isTrue();
                seen.add(e.type());
            }
        }
        assertThat(seen).as("every type occurs").containsExactlyInAnyOrderElementsOf(CustodyEvent.TYPES);
    }

    private static String describe(CustodyEvent e) {
        return switch (e.type()) {
            case CustodyEvent.INVARIANT_BROKEN, CustodyEvent.INVARIANT_RESTORED -> e.type() + " " + e.invariant() + " " + e.difference();
            case CustodyEvent.LOSS_RECORDED -> e.type() + " " + e.field() + " +" + e.increase() + " since " + e.sinceSlot();
            default -> e.type() + " " + e.thresholdSource() + " " + e.threshold().stripTrailingZeros().toPlainString()
                    + (e.reason() == null ? "" : " " + e.reason());
        };
    }

    /** Amounts within a few units of each other (beyond 64 bits), so equalities and thresholds are met often. */
    private static CustodySnapshot snapshot(Random r, long slot) {
        BigInteger base = near(r, 10);
        BigInteger locked = r.nextInt(8) == 0 ? BigInteger.ZERO : near(r, 10);
        if (r.nextInt(12) == 0) {
            base = BigInteger.ZERO;
        }
        BigInteger collateral = BigInteger.valueOf(r.nextInt(3));
        BigInteger owned = base.add(collateral).add(BigInteger.valueOf(r.nextInt(3) - 1)).max(BigInteger.ZERO);
        BigInteger fees = BigInteger.valueOf(r.nextInt(3));
        BigInteger balance = owned.add(fees).add(BigInteger.valueOf(r.nextInt(3) - 1)).max(BigInteger.ZERO);
        CustodyAmounts a = new CustodyAmounts(
                BigInteger.ONE, near(r, 3), near(r, 3), owned, base, locked, BigInteger.TWO, BigInteger.TWO, BigInteger.TWO, fees,
                r.nextInt(4) == 0 ? null : collateral, r.nextInt(4) == 0 ? null : balance);
        Integer bps = r.nextInt(3) == 0 ? 7_000 + 1_000 * r.nextInt(3) : null;
        return new CustodySnapshot(1_700_000_000_000L + slot * 400, "pool/TOKEN", "mint", BigInteger.valueOf(slot), a, bps);
    }

    private static BigInteger near(Random r, int spread) {
        return OFFSET.add(BigInteger.valueOf(r.nextInt(spread)));
    }

    /** The spec's custody rules restated with direct comparisons, as event descriptions. */
    private static final class Reference {

        private BigInteger lastSlot;
        private CustodyAmounts last;
        private final EnumSet<CustodyInvariant> broken = EnumSet.noneOf(CustodyInvariant.class);
        private boolean blocked;

        /** The descriptions of the events {@code s} should raise; null when it is stale. */
        List<String> apply(CustodySnapshot s) {
            if (lastSlot != null && s.slot().compareTo(lastSlot) <= 0) {
                return null;
            }
            CustodyAmounts a = s.amounts();
            List<String> out = new ArrayList<>();
            edge(out, CustodyInvariant.OWNED_COVERS_BASE, a.owned().compareTo(a.base()) >= 0, a.owned().subtract(a.base()));
            edge(out, CustodyInvariant.BASE_COVERS_LOCKED, a.base().compareTo(a.locked()) >= 0, a.base().subtract(a.locked()));
            if (a.positionCollateral() != null) {
                BigInteger d = a.owned().subtract(a.base()).subtract(a.positionCollateral());
                edge(out, CustodyInvariant.OWNED_IS_BASE_PLUS_COLLATERAL, d.signum() == 0, d);
            }
            if (a.tokenAccountBalance() != null) {
                BigInteger d = a.owned().add(a.feeReserves()).subtract(a.tokenAccountBalance());
                edge(out, CustodyInvariant.TOKEN_ACCOUNT_RECONCILES, d.signum() == 0, d);
            }
            if (last != null) {
                BigInteger fall = BigInteger.ZERO;
                if (a.impairmentLosses().compareTo(last.impairmentLosses()) < 0) {
                    fall = fall.add(a.impairmentLosses().subtract(last.impairmentLosses()));
                }
                if (a.userLosses().compareTo(last.userLosses()) < 0) {
                    fall = fall.add(a.userLosses().subtract(last.userLosses()));
                }
                edge(out, CustodyInvariant.LOSSES_NEVER_SHRINK, fall.signum() == 0, fall);
                if (a.impairmentLosses().compareTo(last.impairmentLosses()) > 0) {
                    out.add(CustodyEvent.LOSS_RECORDED + " impairmentLosses +" + a.impairmentLosses().subtract(last.impairmentLosses())
                            + " since " + lastSlot);
                }
                if (a.userLosses().compareTo(last.userLosses()) > 0) {
                    out.add(CustodyEvent.LOSS_RECORDED + " userLosses +" + a.userLosses().subtract(last.userLosses()) + " since " + lastSlot);
                }
            }
            // utilization = locked / base reaches bps / 10000  <=>  10000 x locked >= bps x base, on integers.
            long bps = s.tradeBlockageUtilizationBps() == null ? 8_000 : s.tradeBlockageUtilizationBps();
            String source = s.tradeBlockageUtilizationBps() == null ? "CONFIG" : "SNAPSHOT";
            String threshold = BigDecimal.valueOf(bps, 4).stripTrailingZeros().toPlainString();
            boolean blocks = a.base().signum() != 0
                    && a.locked().multiply(BigInteger.valueOf(10_000)).compareTo(a.base().multiply(BigInteger.valueOf(bps))) >= 0;
            if (blocks && !blocked) {
                out.add(CustodyEvent.TRADE_BLOCKAGE + " " + source + " " + threshold);
            } else if (!blocks && blocked) {
                out.add(CustodyEvent.TRADE_BLOCKAGE_CLEARED + " " + source + " " + threshold + " "
                        + (a.base().signum() == 0 ? "NO_BASE" : "BELOW_THRESHOLD"));
            }
            blocked = blocks;
            lastSlot = s.slot();
            last = a;
            return out;
        }

        private void edge(List<String> out, CustodyInvariant invariant, boolean holds, BigInteger difference) {
            if (!holds && broken.add(invariant)) {
                out.add(CustodyEvent.INVARIANT_BROKEN + " " + invariant + " " + difference);
            } else if (holds && broken.remove(invariant)) {
                out.add(CustodyEvent.INVARIANT_RESTORED + " " + invariant + " " + difference);
            }
        }
    }
}

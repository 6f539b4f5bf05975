package io.collateralrisk.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.jobs.data.CustodyScript.Beat;
import io.collateralrisk.jobs.data.CustodyScript.Scene;
import io.collateralrisk.model.CustodyAmounts;
import io.collateralrisk.model.CustodyEvent;
import io.collateralrisk.model.CustodySnapshot;
import io.collateralrisk.model.config.RiskConfig;
import io.collateralrisk.model.json.CustodySnapshotParser;
import io.collateralrisk.model.json.InvalidInputException;
import io.collateralrisk.solvency.custody.CustodyOutcome;
import io.collateralrisk.solvency.custody.CustodyPoolState;
import io.collateralrisk.solvency.custody.CustodyRules;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The generated custody snapshots read back through the job's parser and walked both with the
 * spec's custody rules restated here (invariants, losses, blockage, stale slots) and with the
 * project's {@link CustodyRules}: the story happens exactly where the script says, and nowhere else.
 */
class CustodyScriptTest {

    private static final long SEED = 20230310L;
    private static final BigInteger TWO_TO_63 = BigInteger.ONE.shiftLeft(63);
    /** {@code custody.tradeBlockageUtilization} of the defaults, for snapshots that give no threshold. */
    private static final int DEFAULT_BLOCKAGE_BPS = 8_000;

    private static List<CustodySnapshot> parse(CustodyScript script) throws InvalidInputException {
        List<CustodySnapshot> out = new ArrayList<>();
        for (String line : script.snapshots()) {
            CustodySnapshot s = CustodySnapshotParser.parse(line);
            assertThat(CustodyScript.key(line)).isEqualTo(s.custody());
            out.add(s);
        }
        return out;
    }

    /** One custody as the rules would hold it. */
    private static final class Pool {
        BigInteger slot;
        CustodyAmounts last;
        final Map<String, Boolean> broken = new HashMap<>();
        boolean blocked;
    }

    /** The scenes a custody-rules implementation following the spec would produce. */
    private static List<Scene> walk(List<CustodySnapshot> snapshots) {
        List<Scene> scenes = new ArrayList<>();
        Map<String, Pool> pools = new TreeMap<>();
        for (CustodySnapshot s : snapshots) {
            Pool pool = pools.computeIfAbsent(s.custody(), c -> new Pool());
            if (pool.slot != null && s.slot().compareTo(pool.slot) <= 0) {
                scenes.add(new Scene(s.custody(), s.eventTime(), Beat.STALE_SLOT, ""));
                continue;
            }
            CustodyAmounts a = s.amounts();
            Map<String, Boolean> holds = new LinkedHashMap<>();
            holds.put("OWNED_COVERS_BASE", a.owned().compareTo(a.base()) >= 0);
            holds.put("BASE_COVERS_LOCKED", a.base().compareTo(a.locked()) >= 0);
            if (a.positionCollateral() != null) {
                holds.put("OWNED_IS_BASE_PLUS_COLLATERAL", a.owned().equals(a.base().add(a.positionCollateral())));
            }
            if (a.tokenAccountBalance() != null) {
                holds.put("TOKEN_ACCOUNT_RECONCILES", a.owned().add(a.feeReserves()).equals(a.tokenAccountBalance()));
            }
            if (pool.last != null) {
                holds.put("LOSSES_NEVER_SHRINK", a.impairmentLosses().compareTo(pool.last.impairmentLosses()) >= 0
                        && a.userLosses().compareTo(pool.last.userLosses()) >= 0);
                if (a.impairmentLosses().compareTo(pool.last.impairmentLosses()) > 0) {
                    scenes.add(new Scene(s.custody(), s.eventTime(), Beat.LOSS_RECORDED, "impairmentLosses"));
                }
                if (a.userLosses().compareTo(pool.last.userLosses()) > 0) {
                    scenes.add(new Scene(s.custody(), s.eventTime(), Beat.LOSS_RECORDED, "userLosses"));
                }
            }
            holds.forEach((invariant, ok) -> {
                boolean wasBroken = pool.broken.getOrDefault(invariant, false);
                if (!ok && !wasBroken) {
                    scenes.add(new Scene(s.custody(), s.eventTime(), Beat.INVARIANT_BROKEN, invariant));
                } else if (ok && wasBroken) {
                    scenes.add(new Scene(s.custody(), s.eventTime(), Beat.INVARIANT_RESTORED, invariant));
                }
                pool.broken.put(invariant, !ok);
            });
            int bps = Objects.requireNonNullElse(s.tradeBlockageUtilizationBps(), DEFAULT_BLOCKAGE_BPS);
            boolean blocked = a.base().signum() > 0
                    && a.locked().multiply(BigInteger.valueOf(10_000)).compareTo(a.base().multiply(BigInteger.valueOf(bps))) >= 0;
            if (blocked != pool.blocked) {
                scenes.add(new Scene(s.custody(), s.eventTime(), blocked ? Beat.TRADE_BLOCKAGE : Beat.TRADE_BLOCKAGE_CLEARED, ""));
            }
            pool.blocked = blocked;
            pool.slot = s.slot();
            pool.last = a;
        }
        return scenes;
    }

    @Test
    void theStoryHappensWhereTheScriptPutsItAndNowhereElse() throws InvalidInputException {
        CustodyScript script = CustodyScript.generate(SEED);
        assertThat(walk(parse(script))).containsExactlyElementsOf(script.scenes());
        assertThat(script.scenes()).extracting(Scene::beat).containsExactlyInAnyOrder(Beat.values());
    }

    @Test
    void theProjectsCustodyRulesTellTheSameStory() throws InvalidInputException {
        CustodyScript script = CustodyScript.generate(SEED);
        RiskConfig config = WalletBook.config();
        CustodyRules rules = new CustodyRules(config.custody().tradeBlockageUtilization(), config.configHash(), "test");
        Map<String, CustodyPoolState> states = new TreeMap<>();
        List<Scene> told = new ArrayList<>();
        for (CustodySnapshot s : parse(script)) {
            CustodyOutcome outcome = rules.onSnapshot(states.computeIfAbsent(s.custody(), c -> new CustodyPoolState()), s);
            assertThat(outcome.status()).isNotEqualTo(CustodyOutcome.Status.MINT_MISMATCH);
            if (outcome.status() == CustodyOutcome.Status.STALE_SLOT) {
                told.add(new Scene(s.custody(), s.eventTime(), Beat.STALE_SLOT, ""));
            }
            for (CustodyEvent e : outcome.events()) {
                Beat beat = Beat.valueOf(e.type().replace("CUSTODY_", ""));
                String subject = beat == Beat.LOSS_RECORDED ? e.field() : e.invariant() == null ? "" : e.invariant();
                told.add(new Scene(e.custody(), e.eventTime(), beat, subject));
            }
        }
        assertThat(told).containsExactlyElementsOf(script.scenes());
    }

    @Test
    void anotherSeedMovesTheAmountsButNotTheStory() throws InvalidInputException {
        CustodyScript a = CustodyScript.generate(SEED);
        CustodyScript b = CustodyScript.generate(SEED + 1);
        assertThat(b.snapshots()).isNotEqualTo(a.snapshots()).hasSameSizeAs(a.snapshots());
        assertThat(walk(parse(b))).containsExactlyElementsOf(a.scenes());
        assertThat(CustodyScript.generate(SEED).snapshots()).isEqualTo(a.snapshots());
    }

    @Test
    void everySnapshotParsesInTimeOrderEveryFiveMinutesWithRisingSlotsButTheStaleOne() throws InvalidInputException {
        CustodyScript script = CustodyScript.generate(SEED);
        List<CustodySnapshot> snapshots = parse(script);
        // Six days of 288 five-minute snapshots, for each custody.
        assertThat(snapshots).hasSize(3 * 6 * 288);
        Map<String, List<CustodySnapshot>> byCustody = new TreeMap<>();
        long previous = Long.MIN_VALUE;
        for (CustodySnapshot s : snapshots) {
            assertThat(s.eventTime()).isGreaterThanOrEqualTo(previous);
            previous = s.eventTime();
            byCustody.computeIfAbsent(s.custody(), c -> new ArrayList<>()).add(s);
        }
        assertThat(byCustody.keySet()).containsExactlyInAnyOrderElementsOf(script.custodies())
                .contains("main-pool/USDC", "main-pool/BTC");
        int notNewer = 0;
        for (List<CustodySnapshot> one : byCustody.values()) {
            assertThat(one).extracting(CustodySnapshot::mint).containsOnly(one.get(0).mint());
            BigInteger highest = BigInteger.ZERO;
            for (int i = 0; i < one.size(); i++) {
                assertThat(one.get(i).eventTime()).isEqualTo(CustodyScript.FROM + i * CustodyScript.EVERY);
                if (one.get(i).slot().compareTo(highest) <= 0) {
                    notNewer++;
                }
                highest = highest.max(one.get(i).slot());
            }
        }
        assertThat(notNewer).isEqualTo(1);
        assertThat(snapshots.get(snapshots.size() - 1).eventTime()).isLessThan(CustodyScript.UNTIL);
    }

    @Test
    void oneCustodyHoldsAmountsAboveTwoToTheSixtyThirdAndOneGivesNoOptionalFields() throws InvalidInputException {
        List<CustodySnapshot> tail = parse(CustodyScript.generate(SEED)).stream()
                .filter(s -> s.custody().equals(CustodyScript.TAIL)).toList();
        assertThat(tail).isNotEmpty().allSatisfy(s -> {
            assertThat(s.amounts().owned()).isGreaterThan(TWO_TO_63);
            assertThat(s.amounts().base()).isGreaterThan(TWO_TO_63);
            assertThat(s.amounts().positionCollateral()).isNull();
            assertThat(s.amounts().tokenAccountBalance()).isNull();
        });
    }

    @Test
    void theRenderingListsTheStory() {
        String text = CustodyScript.generate(SEED).render();
        assertThat(text).contains("5,184 of main-pool/USDC, main-pool/BTC, main-pool/TAIL")
                .contains("2023-03-11T03:00:00.000Z main-pool/USDC TRADE_BLOCKAGE")
                .contains("2023-03-10T14:00:00.000Z main-pool/USDC INVARIANT_BROKEN TOKEN_ACCOUNT_RECONCILES");
    }
}

package io.collateralrisk.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    /** Refusal of {@code yaml}, whose message must start with the key it names. */
    private static void refused(String yaml, String key, String problem) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(key + ": ")
                .hasMessageContaining(problem);
    }

    // ---------------------------------------------------------------- defaults

    @Test
    void defaultsMatchTheSpecification() {
        RiskConfig c = ConfigLoader.defaults();

        assertThat(c.assetScales()).containsOnly(entry("BTC", 8), entry("ETH", 18), entry("USD", 2));
        assertThat(c.priceScale("BTC-USD")).isEqualTo(8);

        assertThat(c.pairs()).containsOnlyKeys("BTC-USD");
        PairConfig btc = c.pair("BTC-USD");
        assertThat(btc.base()).isEqualTo("BTC");
        assertThat(btc.quote()).isEqualTo("USD");
        assertThat(btc.quorum()).isEqualTo(2);
        assertThat(btc.maxAgeOracleMs()).isEqualTo(3_900 * SECOND);
        assertThat(btc.maxAgeExchangeMs()).isEqualTo(120 * SECOND);
        assertThat(btc.outlierBand()).isEqualByComparingTo("0.10");
        assertThat(btc.twapWindowMs()).isEqualTo(5 * MINUTE);
        assertThat(btc.boundsMin()).isEqualByComparingTo("1");
        assertThat(btc.boundsMax()).isEqualByComparingTo("10000000");

        DivergenceConfig div = c.divergence();
        assertThat(div.threshold()).isEqualByComparingTo("0.05");
        assertThat(div.minConsecutive()).isEqualTo(2);
        assertThat(div.minDurationMs()).isEqualTo(30 * SECOND);
        assertThat(div.reconcileAfterMs()).isEqualTo(5 * MINUTE);

        assertThat(c.policies()).containsOnlyKeys("standard", "tri-party");
        assertPolicy(c.policies().get("standard"), "0.60", "0.70", "0.80", "0.90", 48 * HOUR, "0.60", "0.01");
        assertPolicy(c.policies().get("tri-party"), "0.50", "0.60", "0.70", "0.85", 48 * HOUR, "0.50", "0.01");

        LifecycleConfig life = c.lifecycle();
        assertThat(life.confirmTimeoutMs()).isEqualTo(30 * MINUTE);
        assertThat(life.holdEscalateAfterMs()).isEqualTo(30 * MINUTE);
        assertThat(life.rapidWindowMs()).isEqualTo(HOUR);
        assertThat(life.closedRetentionMs()).isEqualTo(30 * DAY);
        assertThat(life.circuitBreakerMaxLiquidations()).isEqualTo(100);
        assertThat(life.circuitBreakerWindowMs()).isEqualTo(15 * MINUTE);

        assertThat(c.solvency().requiredMargin()).isEqualByComparingTo("0.10");
        assertThat(c.solvency().maxPortfoliosPerWallet()).isEqualTo(8);
        assertThat(c.solvency().maxPositionsPerPortfolio()).isEqualTo(16);

        assertThat(c.outOfOrderMs()).isEqualTo(5 * SECOND);
        assertThat(c.watermarkLagAlertMs()).isEqualTo(5 * MINUTE);
        assertThat(c.auditTimeTravelDays()).isEqualTo(400);
        assertThat(c.configHash()).matches("[0-9a-f]{64}");
    }

    private static void assertPolicy(
            PolicyConfig p, String initial, String warning, String call, String liquidation, long cure, String target, String hysteresis) {
        assertThat(p.initialMargin()).isEqualByComparingTo(initial);
        assertThat(p.warning()).isEqualByComparingTo(warning);
        assertThat(p.marginCall()).isEqualByComparingTo(call);
        assertThat(p.liquidation()).isEqualByComparingTo(liquidation);
        assertThat(p.curePeriodMs()).isEqualTo(cure);
        assertThat(p.liquidationTarget()).isEqualByComparingTo(target);
        assertThat(p.hysteresis()).isEqualByComparingTo(hysteresis);
    }

    @Test
    void anEmptyFileIsTheDefaults() {
        assertThat(ConfigLoader.parse("")).isEqualTo(ConfigLoader.defaults());
        assertThat(ConfigLoader.parse("# nothing but a comment\n")).isEqualTo(ConfigLoader.defaults());
    }

    // ---------------------------------------------------------------- overrides

    @Test
    void aFileOverridingOneKeyChangesOnlyThatKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("risk.yaml");
        Files.writeString(file, "lateness:\n  outOfOrder: 10s\n", StandardCharsets.UTF_8);
        RiskConfig c = ConfigLoader.load(file);
        RiskConfig defaults = ConfigLoader.defaults();

        assertThat(c.outOfOrderMs()).isEqualTo(10 * SECOND);
        assertThat(c.pairs()).isEqualTo(defaults.pairs());
        assertThat(c.policies()).isEqualTo(defaults.policies());
        assertThat(c.divergence()).isEqualTo(defaults.divergence());
        assertThat(c.lifecycle()).isEqualTo(defaults.lifecycle());
        assertThat(c.watermarkLagAlertMs()).isEqualTo(defaults.watermarkLagAlertMs());
    }

    @Test
    void aNestedKeyOverridesOnlyItself() {
        RiskConfig c = ConfigLoader.parse("pairs:\n  BTC-USD:\n    maxAge: {EXCHANGE: 60s}\n");
        assertThat(c.pair("BTC-USD").maxAgeExchangeMs()).isEqualTo(60 * SECOND);
        assertThat(c.pair("BTC-USD").maxAgeOracleMs()).isEqualTo(3_900 * SECOND);
        assertThat(c.pair("BTC-USD").quorum()).isEqualTo(2);
    }

    @Test
    void aMissingFileIsRefusedNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("absent.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(missing.toString());
    }

    @Test
    void durationUnits() {
        RiskConfig c = ConfigLoader.parse(
                "lateness: {outOfOrder: 1500ms}\nlive: {watermarkLagAlert: 2h}\nlifecycle: {closedRetention: 7d}\n");
        assertThat(c.outOfOrderMs()).isEqualTo(1_500);
        assertThat(c.watermarkLagAlertMs()).isEqualTo(2 * HOUR);
        assertThat(c.lifecycle().closedRetentionMs()).isEqualTo(7 * DAY);
    }

    // ---------------------------------------------------------------- unknown keys

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "prics: {}                                            | prics",
                "divergence: {thresold: 0.1}                          | divergence.thresold",
                "pairs: {BTC-USD: {quorom: 3}}                        | pairs.BTC-USD.quorom",
                "pairs: {BTC-USD: {maxAge: {ORACEL: 1h}}}             | pairs.BTC-USD.maxAge.ORACEL",
                "pairs: {ETH-USD: {bounds: {min: '10', mx: '1'}}}     | pairs.ETH-USD.bounds.mx",
                "policies: {standard: {liquidationTarge: 0.5}}        | policies.standard.liquidationTarge",
                "lifecycle: {circuitBreaker: {maxLiquidation: 5}}     | lifecycle.circuitBreaker.maxLiquidation",
                "assets: {BTC: {decimals: 8}}                         | assets.BTC.decimals",
            })
    void anUnknownKeyIsRefusedNamingIt(String yaml, String key) {
        refused(yaml, key, "unknown key");
    }

    // ---------------------------------------------------------------- policy rules

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "policies: {standard: {warning: 0.55}}                     | policies.standard.warning",
                "policies: {standard: {marginCall: 0.70}}                  | policies.standard.marginCall",
                "policies: {standard: {liquidation: 0.75}}                 | policies.standard.liquidation",
                "policies: {tri-party: {marginCall: 0.90}}                 | policies.tri-party.liquidation",
            })
    void thresholdsOutOfOrderAreRefused(String yaml, String key) {
        refused(yaml, key, "out of order");
    }

    @Test
    void liquidationTargetMustBeBelowWarningMinusHysteresis() {
        // standard: warning 0.70 - hysteresis 0.01 = 0.69
        refused("policies: {standard: {liquidationTarget: 0.69}}", "policies.standard.liquidationTarget", "below warning minus hysteresis");
        refused("policies: {standard: {liquidationTarget: 0.80}}", "policies.standard.liquidationTarget", "below warning minus hysteresis");
        refused("policies: {standard: {hysteresis: 0.05, liquidationTarget: 0.65}}",
                "policies.standard.liquidationTarget", "below warning minus hysteresis");
        assertThat(ConfigLoader.parse("policies: {standard: {liquidationTarget: 0.68}}").policies().get("standard").liquidationTarget())
                .isEqualByComparingTo("0.68");
    }

    @Test
    void aNewPolicyMissingAThresholdIsRefused() {
        refused("policies: {bespoke: {initialMargin: 0.55, warning: 0.65, marginCall: 0.75, curePeriod: 24h, liquidationTarget: 0.55}}",
                "policies.bespoke.liquidation", "is required");
        refused("policies: {bespoke: {initialMargin: 0.55, warning: 0.65, marginCall: 0.75, liquidation: 0.85, curePeriod: 24h}}",
                "policies.bespoke.liquidationTarget", "is required");
    }

    @Test
    void aCompleteNewPolicyIsAddedWithDefaultHysteresis() {
        RiskConfig c = ConfigLoader.parse("policies:\n  bespoke: {initialMargin: 0.55, warning: 0.65, marginCall: 0.75, "
                + "liquidation: 0.85, curePeriod: 24h, liquidationTarget: 0.55}\n");
        assertThat(c.policies()).containsOnlyKeys("standard", "tri-party", "bespoke");
        assertPolicy(c.policies().get("bespoke"), "0.55", "0.65", "0.75", "0.85", 24 * HOUR, "0.55", "0.01");
    }

    @Test
    void aPolicyMayBeNamedLikeOneOfItsFields() {
        RiskConfig c = ConfigLoader.parse("policies:\n  warning: {initialMargin: 0.55, warning: 0.65, marginCall: 0.75, "
                + "liquidation: 0.85, curePeriod: 24h, liquidationTarget: 0.55}\n");
        assertPolicy(c.policies().get("warning"), "0.55", "0.65", "0.75", "0.85", 24 * HOUR, "0.55", "0.01");
    }

    @Test
    void triPartyCurePeriodStaysWithin24To72Hours() {
        assertThat(ConfigLoader.parse("policies: {tri-party: {curePeriod: 24h}}").policies().get("tri-party").curePeriodMs())
                .isEqualTo(24 * HOUR);
        assertThat(ConfigLoader.parse("policies: {tri-party: {curePeriod: 3d}}").policies().get("tri-party").curePeriodMs())
                .isEqualTo(72 * HOUR);
        refused("policies: {tri-party: {curePeriod: 23h}}", "policies.tri-party.curePeriod", "between 24h and 72h");
        refused("policies: {tri-party: {curePeriod: 73h}}", "policies.tri-party.curePeriod", "between 24h and 72h");
    }

    // ---------------------------------------------------------------- durations and values

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "lateness: {outOfOrder: -5s}                   | lateness.outOfOrder",
                "divergence: {minDuration: -1ms}               | divergence.minDuration",
                "lifecycle: {circuitBreaker: {window: -15m}}   | lifecycle.circuitBreaker.window",
                "policies: {standard: {curePeriod: -48h}}      | policies.standard.curePeriod",
            })
    void aNegativeDurationIsRefused(String yaml, String key) {
        refused(yaml, key, "negative duration");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "lateness: {outOfOrder: 5}                 | lateness.outOfOrder",
                "lateness: {outOfOrder: 5 seconds}         | lateness.outOfOrder",
                "lateness: {outOfOrder: 5S}                | lateness.outOfOrder",
                "lateness: {outOfOrder: 1.5s}              | lateness.outOfOrder",
                "lateness: {outOfOrder: PT5S}              | lateness.outOfOrder",
                "live: {watermarkLagAlert: soon}           | live.watermarkLagAlert",
                "pairs: {BTC-USD: {twapWindow: 5mins}}     | pairs.BTC-USD.twapWindow",
            })
    void aMalformedDurationIsRefused(String yaml, String key) {
        refused(yaml, key, "must be a duration");
    }

    @Test
    void aDurationTooLongForMillisecondsIsRefusedNotOverflowed() {
        refused("lateness: {outOfOrder: 9999999999999999d}", "lateness.outOfOrder", "too long");
        refused("lateness: {outOfOrder: 99999999999999999999ms}", "lateness.outOfOrder", "too long");
    }

    @Test
    void aZeroPairDurationIsRefusedWhereItMustBePositive() {
        refused("pairs: {BTC-USD: {twapWindow: 0s}}", "pairs.BTC-USD.twapWindow", "positive");
    }

    @Test
    void malformedValuesAreRefusedNamingTheKey() {
        refused("pairs: {BTC-USD: {outlierBand: wide}}", "pairs.BTC-USD.outlierBand", "decimal");
        refused("pairs: {BTC-USD: {outlierBand: 1.5}}", "pairs.BTC-USD.outlierBand", "fraction below 1");
        refused("pairs: {BTC-USD: {quorum: 0}}", "pairs.BTC-USD.quorum", "positive");
        refused("pairs: {BTC-USD: {quorum: 1.5}}", "pairs.BTC-USD.quorum", "whole number");
        refused("pairs: {BTC-USD: {bounds: {min: '100', max: '10'}}}", "pairs.BTC-USD.bounds.max", "above bounds.min");
        refused("pairs: {BTC-USD: {bounds: {min: '0'}}}", "pairs.BTC-USD.bounds.min", "positive");
        refused("audit: {timeTravelDays: -1}", "audit.timeTravelDays", "positive");
        refused("assets: {BTC: {scale: 19}}", "assets.BTC.scale", "between 0 and 18");
        refused("lateness: 5s", "lateness", "mapping");
    }

    @Test
    void malformedFilesAreRefused() {
        refused("pairs: [", "(file)", "not valid YAML");
        refused("- a\n- b\n", "(file)", "mapping");
    }

    // ---------------------------------------------------------------- pairs

    @Test
    void aNewPairInheritsTheBtcUsdDefaults() {
        RiskConfig c = ConfigLoader.parse("pairs:\n  ETH-USD:\n    bounds: {min: \"10\", max: \"100000\"}\n    maxAge: {EXCHANGE: 60s}\n");
        PairConfig btc = c.pair("BTC-USD");
        PairConfig eth = c.pair("ETH-USD");
        assertThat(eth.base()).isEqualTo("ETH");
        assertThat(eth.quote()).isEqualTo("USD");
        assertThat(eth.boundsMin()).isEqualByComparingTo("10");
        assertThat(eth.boundsMax()).isEqualByComparingTo("100000");
        assertThat(eth.maxAgeExchangeMs()).isEqualTo(60 * SECOND);
        assertThat(eth.maxAgeOracleMs()).isEqualTo(btc.maxAgeOracleMs());
        assertThat(eth.quorum()).isEqualTo(btc.quorum());
        assertThat(eth.outlierBand()).isEqualByComparingTo(btc.outlierBand());
        assertThat(eth.twapWindowMs()).isEqualTo(btc.twapWindowMs());
        assertThat(btc).isEqualTo(ConfigLoader.defaults().pair("BTC-USD"));
        assertThat(c.priceScale("ETH-USD")).isEqualTo(8);
    }

    @Test
    void aPairNeedsBothAssetsAndAHyphenatedName() {
        refused("pairs: {SOL-USD: {}}", "pairs.SOL-USD", "asset SOL is not defined");
        refused("pairs: {BTCUSD: {}}", "pairs.BTCUSD", "BASE-QUOTE");
        RiskConfig c = ConfigLoader.parse("assets: {SOL: {scale: 9}}\npairs: {SOL-USD: {}}\n");
        assertThat(c.scale("SOL")).isEqualTo(9);
        assertThat(c.pair("SOL-USD").quorum()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- config hash

    @Test
    void configHashIsStableForTheSameContent() {
        String yaml = "lateness: {outOfOrder: 10s}\npolicies: {standard: {liquidationTarget: 0.65}}\n";
        String reordered = "policies:\n  standard:\n    liquidationTarget: 0.65\nlateness:\n  outOfOrder: 10s\n";
        String hash = ConfigLoader.parse(yaml).configHash();
        assertThat(ConfigLoader.parse(yaml).configHash()).isEqualTo(hash);
        assertThat(ConfigLoader.parse(reordered).configHash()).isEqualTo(hash);
        assertThat(ConfigLoader.defaults().configHash()).isEqualTo(ConfigLoader.defaults().configHash());
        // Restating a default is the same configuration.
        assertThat(ConfigLoader.parse("lateness: {outOfOrder: 5s}").configHash()).isEqualTo(ConfigLoader.defaults().configHash());
    }

    @Test
    void configHashChangesWhenAValueChanges() {
        String base = ConfigLoader.defaults().configHash();
        assertThat(ConfigLoader.parse("lateness: {outOfOrder: 6s}").configHash()).isNotEqualTo(base);
        assertThat(ConfigLoader.parse("policies: {standard: {liquidationTarget: 0.61}}").configHash()).isNotEqualTo(base);
        assertThat(ConfigLoader.parse("pairs: {BTC-USD: {bounds: {max: '10000001'}}}").configHash()).isNotEqualTo(base);
        assertThat(ConfigLoader.parse("pairs: {ETH-USD: {}}").configHash()).isNotEqualTo(base);
    }

    @Test
    void canonicalContentIsWhatTheHashCovers() throws Exception {
        RiskConfig c = ConfigLoader.parse("lateness: {outOfOrder: 10s}");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(c.canonicalContent().getBytes(StandardCharsets.UTF_8));
        assertThat(c.configHash()).isEqualTo(HexFormat.of().formatHex(digest));
        assertThat(c.canonicalContent()).contains("\"outOfOrder\":\"10s\"");
    }

    // ---------------------------------------------------------------- audit catalog

    @Test
    void theDefaultAuditCatalogIsAWarehouseDirectoryChosenByTheCommand() {
        AuditCatalogConfig c = ConfigLoader.defaults().auditCatalog();
        assertThat(c.type()).isEqualTo("hadoop");
        assertThat(c.warehouse()).isEmpty();
        assertThat(c.withDefaultWarehouse("/tmp/w").warehouse()).isEqualTo("/tmp/w");
    }

    @Test
    void aJdbcCatalogIsReadWithItsPasswordVariable() {
        AuditCatalogConfig c = ConfigLoader.parse(
                "audit: {catalog: {type: jdbc, uri: 'jdbc:postgresql://db:5432/risk', warehouse: /data/wh, user: risk, passwordEnv: RISK_DB_PASSWORD}}").auditCatalog();
        assertThat(c.isJdbc()).isTrue();
        assertThat(c.uri()).isEqualTo("jdbc:postgresql://db:5432/risk");
        assertThat(c.passwordEnv()).isEqualTo("RISK_DB_PASSWORD");
        assertThat(c.withDefaultWarehouse("/elsewhere").warehouse()).isEqualTo("/data/wh");
    }

    @Test
    void aBadAuditCatalogIsRefusedNamingTheKey() {
        refused("audit: {catalog: {type: hive}}", "audit.catalog.type", "hadoop or jdbc");
        refused("audit: {catalog: {type: jdbc, warehouse: /w}}", "audit.catalog.uri", "JDBC URL");
        refused("audit: {catalog: {type: jdbc, uri: 'jdbc:postgresql://h/d'}}", "audit.catalog.warehouse", "warehouse");
        refused("audit: {catalog: {password: secret}}", "audit.catalog.password", "unknown key");
    }

    @Test
    void whereTheAuditTablesLiveDoesNotChangeTheConfigHash() {
        String moved = "audit: {catalog: {type: jdbc, uri: 'jdbc:postgresql://db/risk', warehouse: /data/wh}}";
        assertThat(ConfigLoader.parse(moved).configHash()).isEqualTo(ConfigLoader.defaults().configHash());
        assertThat(ConfigLoader.parse(moved).canonicalContent()).doesNotContain("catalog");
        assertThat(ConfigLoader.parse("audit: {timeTravelDays: 30}").configHash()).isNotEqualTo(ConfigLoader.defaults().configHash());
    }

    // ---------------------------------------------------------------- portfolio solvency and custody

    @Test
    void portfolioAndCustodyDefaultsMatchTheSpecification() {
        RiskConfig c = ConfigLoader.defaults();
        assertThat(c.asset("BTC")).isEqualTo(new AssetConfig(8, c.asset("BTC").varianceFactor(), true, "BTC-USD"));
        assertThat(c.asset("BTC").varianceFactor()).isEqualByComparingTo("1.25");
        assertThat(c.asset("ETH").varianceFactor()).isEqualByComparingTo("1.30");
        assertThat(c.asset("ETH").usdPair()).isEqualTo("ETH-USD");
        assertThat(c.asset("USD").varianceFactor()).isEqualByComparingTo("1");
        assertThat(c.asset("USD").portfolioEligible()).isTrue();
        assertThat(c.asset("DOGE")).isNull();
        assertThat(c.solvency().warnUtilization()).isEqualByComparingTo("0.90");
        assertThat(c.solvency().hysteresis()).isEqualByComparingTo("0.01");
        assertThat(c.custody().tradeBlockageUtilization()).isEqualByComparingTo("0.80");
    }

    /** Event ids and replay outputs derive from the default hash: the portfolio keys must not move it. */
    @Test
    void theDefaultConfigHashIsPinned() {
        assertThat(ConfigLoader.defaults().configHash()).isEqualTo("07e5cff2d427591bf3f33190cb7faddb44a17db0bf2019956e385e671cb9b80b");
        assertThat(ConfigLoader.defaults().canonicalContent()).doesNotContain("varianceFactor", "warnUtilization", "custody");
    }

    @Test
    void portfolioKeysGivenAtTheirDefaultsKeepTheHash() {
        String base = ConfigLoader.defaults().configHash();
        assertThat(ConfigLoader.parse("""
                assets: {BTC: {varianceFactor: '1.250', crossMargin: true, usdPair: BTC-USD}, USD: {varianceFactor: 1}}
                solvency: {warnUtilization: 0.9, hysteresis: '0.010'}
                custody: {tradeBlockageUtilization: 0.8}
                """).configHash()).isEqualTo(base);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "assets: {BTC: {varianceFactor: 1.26}}",
        "assets: {BTC: {crossMargin: false}}",
        "assets: {BTC: {usdPair: WBTC-USD}}",
        "assets: {USDC: {scale: 6, varianceFactor: 1.02}}",
        "solvency: {warnUtilization: 0.91}",
        "solvency: {hysteresis: 0.02}",
        "custody: {tradeBlockageUtilization: 0.81}",
    })
    void aChangedPortfolioOrCustodyKeyChangesTheHash(String yaml) {
        assertThat(ConfigLoader.parse(yaml).configHash()).isNotEqualTo(ConfigLoader.defaults().configHash());
    }

    @Test
    void anAddedAssetReadsItsPortfolioSettings() {
        RiskConfig c = ConfigLoader.parse("assets: {USDC: {scale: 6, varianceFactor: 1.02, crossMargin: false, usdPair: USDC-USD}, EUR: {scale: 2}}");
        assertThat(c.asset("USDC")).isEqualTo(new AssetConfig(6, new java.math.BigDecimal("1.02"), false, "USDC-USD"));
        assertThat(c.asset("EUR").varianceFactor()).isNull();
        assertThat(c.asset("EUR").portfolioEligible()).isFalse();
        assertThat(c.asset("EUR").crossMargin()).isTrue();
        assertThat(c.asset("EUR").usdPair()).isEqualTo("EUR-USD");
        assertThat(c.assetScales()).containsEntry("USDC", 6).containsEntry("EUR", 2);
    }

    @Test
    void aWrappedTokenMayBePricedByAnotherPair() {
        assertThat(ConfigLoader.parse("assets: {WBTC: {scale: 8, varianceFactor: 1.3, usdPair: BTC-USD}}").asset("WBTC").usdPair())
                .isEqualTo("BTC-USD");
    }

    @Test
    void aVarianceFactorIsAtLeastOneAndOneOnlyForTheQuoteCurrency() {
        refused("assets: {BTC: {varianceFactor: 0.99}}", "assets.BTC.varianceFactor", "at least 1");
        refused("assets: {BTC: {varianceFactor: 1}}", "assets.BTC.varianceFactor", "only the quote currency USD");
        refused("assets: {USD: {varianceFactor: 0.999}}", "assets.USD.varianceFactor", "at least 1");
        refused("assets: {BTC: {varianceFactor: abc}}", "assets.BTC.varianceFactor", "decimal");
        assertThat(ConfigLoader.parse("assets: {BTC: {varianceFactor: 1.000001}}").asset("BTC").varianceFactor())
                .isEqualByComparingTo("1.000001");
        assertThat(ConfigLoader.parse("assets: {USD: {varianceFactor: 1.01}}").asset("USD").varianceFactor())
                .isEqualByComparingTo("1.01");
    }

    @Test
    void badCrossMarginOrUsdPairIsRefusedNamingTheKey() {
        refused("assets: {BTC: {crossMargin: 'yes'}}", "assets.BTC.crossMargin", "true or false");
        refused("assets: {BTC: {usdPair: BTC-EUR}}", "assets.BTC.usdPair", "quoted in USD");
        refused("assets: {BTC: {usdPair: 7}}", "assets.BTC.usdPair", "string");
        refused("assets: {BTC: {margin: 1}}", "assets.BTC.margin", "unknown key");
    }

    @Test
    void badSolvencyOrCustodyKeysAreRefusedNamingTheKey() {
        refused("solvency: {warnUtilization: 1}", "solvency.warnUtilization", "fraction below 1");
        refused("solvency: {warnUtilization: 0}", "solvency.warnUtilization", "positive");
        refused("solvency: {hysteresis: -0.01}", "solvency.hysteresis", "negative");
        refused("solvency: {hysteresis: 0.90}", "solvency.hysteresis", "below solvency.warnUtilization");
        refused("solvency: {maxPositionsPerPortfolio: 0}", "solvency.maxPositionsPerPortfolio", "positive");
        refused("custody: {tradeBlockageUtilization: 0}", "custody.tradeBlockageUtilization", "positive");
        refused("custody: {tradeBlockageUtilization: 1.01}", "custody.tradeBlockageUtilization", "at most 1");
        refused("custody: {blockage: 0.5}", "custody.blockage", "unknown key");
        assertThat(ConfigLoader.parse("solvency: {hysteresis: 0.89}").solvency().hysteresis()).isEqualByComparingTo("0.89");
        assertThat(ConfigLoader.parse("solvency: {hysteresis: 0}").solvency().hysteresis()).isEqualByComparingTo("0");
        assertThat(ConfigLoader.parse("custody: {tradeBlockageUtilization: 1}").custody().tradeBlockageUtilization())
                .isEqualByComparingTo("1");
    }

    @Test
    void crossMarginedTokensWithoutAConfiguredPairAreListedForAnAlert() {
        // Defaults: ETH-USD is not configured; BTC is priced; USD needs no pair.
        assertThat(ConfigLoader.defaults().crossMarginTokensWithoutPair()).containsExactly("ETH");
        RiskConfig c = ConfigLoader.parse("""
                assets: {SOL: {scale: 9, varianceFactor: 1.5, crossMargin: false}, EUR: {scale: 2}, WETH: {scale: 18, varianceFactor: 1.4, usdPair: ETH-USD}}
                pairs: {ETH-USD: {}}
                """);
        assertThat(c.crossMarginTokensWithoutPair()).isEmpty();
        assertThat(ConfigLoader.parse("assets: {WBTC: {scale: 8, varianceFactor: 1.3, usdPair: XBT-USD}}").crossMarginTokensWithoutPair())
                .containsExactly("ETH", "WBTC");
    }
}

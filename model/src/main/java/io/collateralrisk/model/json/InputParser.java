package io.collateralrisk.model.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.collateralrisk.model.CollateralUpdated;
import io.collateralrisk.model.ControlRecord;
import io.collateralrisk.model.DebtUpdated;
import io.collateralrisk.model.DivergenceResolved;
import io.collateralrisk.model.FacilityClosed;
import io.collateralrisk.model.FacilityEvent;
import io.collateralrisk.model.FacilityOpened;
import io.collateralrisk.model.HoldsReleased;
import io.collateralrisk.model.LiquidationExecuted;
import io.collateralrisk.model.LiquidationFailed;
import io.collateralrisk.model.PortfolioEvent;
import io.collateralrisk.model.PositionBalances;
import io.collateralrisk.model.PositionInstalled;
import io.collateralrisk.model.PositionRecordRefused;
import io.collateralrisk.model.PositionUninstalled;
import io.collateralrisk.model.PositionUpdated;
import io.collateralrisk.model.PriceTick;
import io.collateralrisk.model.SourceKind;
import io.collateralrisk.model.config.AssetConfig;
import io.collateralrisk.model.config.PairConfig;
import io.collateralrisk.model.config.RiskConfig;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates the input topics' JSON. Every refusal is an {@link InvalidInputException}
 * whose reason names the problem; nothing here throws anything else for any input text.
 */
public final class InputParser implements Serializable {

    private static final Set<String> FACILITY_TYPES =
            Set.of("FACILITY_OPENED", "COLLATERAL_UPDATED", "DEBT_UPDATED", "LIQUIDATION_EXECUTED", "LIQUIDATION_FAILED", "FACILITY_CLOSED");

    private static final Set<String> PORTFOLIO_TYPES = Set.of("POSITION_INSTALLED", "POSITION_UPDATED", "POSITION_UNINSTALLED");

    private final RiskConfig config;

    public InputParser(RiskConfig config) {
        this.config = config;
    }

    /** A {@code PRICE_TICK}, with the pair's sanity bounds applied. */
    public PriceTick parsePrice(String payload) throws InvalidInputException {
        Fields f = object(payload);
        requireType(f, "PRICE_TICK");
        long eventTime = f.time("eventTime");
        String pair = f.text("pair");
        String source = f.text("source");
        SourceKind kind = kind(f.text("kind"));
        BigDecimal price = f.decimal("price");
        BigDecimal volume = f.optionalDecimal("volume");
        if (volume != null && volume.signum() < 0) {
            throw new InvalidInputException("NEGATIVE_AMOUNT:volume", "'volume' must not be negative");
        }
        var round = f.optionalNonNegativeInteger("round");
        if (price.signum() <= 0) {
            throw new InvalidInputException("NON_POSITIVE_PRICE", "price must be positive: " + price.toPlainString());
        }
        PairConfig pairConfig = config.pair(pair);
        if (pairConfig == null) {
            throw new InvalidInputException("UNKNOWN_PAIR", "pair '" + Fields.abbreviate(pair) + "' is not configured");
        }
        if (price.compareTo(pairConfig.boundsMin()) < 0 || price.compareTo(pairConfig.boundsMax()) > 0) {
            throw new InvalidInputException(
                    "OUT_OF_BOUNDS",
                    "price " + price.toPlainString() + " is outside [" + pairConfig.boundsMin().toPlainString()
                            + ", " + pairConfig.boundsMax().toPlainString() + "] for " + pair);
        }
        return new PriceTick(eventTime, pair, source, kind, price, volume, round);
    }

    /** One of the {@code facility-events} types. Whether the facility exists is checked downstream. */
    public FacilityEvent parseFacility(String payload) throws InvalidInputException {
        Fields f = object(payload);
        String type = f.text("type");
        // The type decides which fields are required: another topic's record is UNKNOWN_TYPE, not a missing field.
        if (!FACILITY_TYPES.contains(type)) {
            throw unknownType(type);
        }
        long t = f.time("eventTime");
        String id = f.text("facilityId");
        return switch (type) {
            case "FACILITY_OPENED" -> new FacilityOpened(
                    t, id, f.text("borrowerId"), f.text("custodian"), configuredPair(f.text("pair")), f.text("policy"));
            case "COLLATERAL_UPDATED" -> new CollateralUpdated(t, id, f.amount("collateral"), f.version("version"));
            case "DEBT_UPDATED" -> new DebtUpdated(t, id, f.amount("outstanding"), f.version("version"));
            case "LIQUIDATION_EXECUTED" -> new LiquidationExecuted(
                    t, id, f.text("liquidationId"), f.amount("collateralSold"), f.amount("proceeds"));
            case "LIQUIDATION_FAILED" -> new LiquidationFailed(t, id, f.text("liquidationId"), f.text("reason"));
            case "FACILITY_CLOSED" -> new FacilityClosed(t, id);
            default -> throw unknownType(type);
        };
    }

    /**
     * One of the {@code portfolio-events} types. Thrown only when the record does not say which
     * position and version it is (malformed JSON, an unknown type, a missing or invalid
     * {@code eventTime}, {@code wallet}, {@code position} or {@code version}): those can never be
     * checked against a version. Any other problem is returned as a {@link PositionRecordRefused},
     * because the version is checked first and a stale record is a no-op whatever else is wrong.
     * Whether the position exists, and the per-portfolio limit, are checked downstream.
     */
    public PortfolioEvent parsePortfolio(String payload) throws InvalidInputException {
        Fields f = object(payload);
        String type = f.text("type");
        if (!PORTFOLIO_TYPES.contains(type)) {
            throw unknownType(type);
        }
        long t = f.time("eventTime");
        String wallet = f.text("wallet");
        String position = f.text("position");
        long version = f.version("version");
        try {
            int portfolio = portfolioIndex(f);
            return switch (type) {
                case "POSITION_INSTALLED" -> new PositionInstalled(t, wallet, portfolio, position, f.text("producer"), balances(f), version);
                case "POSITION_UPDATED" -> new PositionUpdated(t, wallet, portfolio, position, balances(f), version);
                default -> new PositionUninstalled(t, wallet, portfolio, position, version);
            };
        } catch (InvalidInputException e) {
            return new PositionRecordRefused(t, wallet, position, version, type, e.reason(), e.detail());
        }
    }

    private int portfolioIndex(Fields f) throws InvalidInputException {
        BigInteger index = f.wholeNumber("portfolio");
        int limit = config.solvency().maxPortfoliosPerWallet();
        if (index.signum() < 0 || index.compareTo(BigInteger.valueOf(limit)) >= 0) {
            throw new InvalidInputException(
                    "LIMIT_EXCEEDED", "portfolio " + Fields.abbreviate(index.toString()) + " is outside 0 to " + (limit - 1));
        }
        return index.intValueExact();
    }

    private PositionBalances balances(Fields f) throws InvalidInputException {
        Map<String, BigDecimal> credits = f.amounts("credits");
        Map<String, BigDecimal> debts = f.amounts("debts");
        Map<String, BigDecimal> deltas = f.amounts("deltas");
        for (Map<String, BigDecimal> amounts : java.util.List.of(credits, debts, deltas)) {
            for (String token : amounts.keySet()) {
                portfolioToken(token);
            }
        }
        return new PositionBalances(credits, debts, deltas);
    }

    private void portfolioToken(String token) throws InvalidInputException {
        AssetConfig asset = config.asset(token);
        if (asset == null) {
            throw new InvalidInputException("UNKNOWN_TOKEN", "token '" + Fields.abbreviate(token) + "' is not configured under assets");
        }
        // An asset added with a scale only has no variance factor: it cannot be valued in a portfolio.
        if (!asset.portfolioEligible()) {
            throw new InvalidInputException("UNKNOWN_TOKEN", "token '" + token + "' has no varianceFactor configured");
        }
    }

    /** A {@code DIVERGENCE_RESOLVED} or {@code HOLDS_RELEASED} from {@code risk-control}. */
    public ControlRecord parseControl(String payload) throws InvalidInputException {
        Fields f = object(payload);
        String type = f.text("type");
        // The type decides which fields are required: another topic's record is UNKNOWN_TYPE, not a missing field.
        return switch (type) {
            case "DIVERGENCE_RESOLVED" -> ControlRecord.of(new DivergenceResolved(
                    f.time("eventTime"), configuredPair(f.text("pair")), f.text("incidentId"), f.text("resolvedBy"), f.text("reason")));
            case HoldsReleased.TYPE -> ControlRecord.of(new HoldsReleased(
                    f.time("eventTime"), configuredPair(f.text("pair")), f.text("releasedBy"), f.text("reason")));
            default -> throw unknownType(type);
        };
    }

    /** The record's event time if it has a valid one, for dead letters; otherwise {@code fallback}. */
    public static long eventTimeOrElse(String payload, long fallback) {
        return timeOrElse(payload, "eventTime", fallback);
    }

    /** The record's time {@code field} if it has a valid one (a replay line's {@code kafkaTimestamp}); otherwise {@code fallback}. */
    public static long timeOrElse(String payload, String field, long fallback) {
        try {
            return object(payload).time(field);
        } catch (InvalidInputException | RuntimeException e) {
            return fallback;
        }
    }

    private String configuredPair(String pair) throws InvalidInputException {
        if (config.pair(pair) == null) {
            throw new InvalidInputException("UNKNOWN_PAIR", "pair '" + Fields.abbreviate(pair) + "' is not configured");
        }
        return pair;
    }

    private static Fields object(String payload) throws InvalidInputException {
        return new Fields(tree(payload));
    }

    /** The payload as a JSON object, or the refusal every topic gives a record that is not one. */
    static JsonNode tree(String payload) throws InvalidInputException {
        if (payload == null || payload.isBlank()) {
            throw new InvalidInputException("MALFORMED_JSON", "empty record");
        }
        if (payload.length() > Json.MAX_PAYLOAD_CHARS) {
            throw new InvalidInputException("PAYLOAD_TOO_LARGE", "record of " + payload.length() + " characters");
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(payload);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("MALFORMED_JSON", Fields.abbreviate(String.valueOf(e.getOriginalMessage())));
        } catch (NumberFormatException e) {
            // A number token BigDecimal cannot hold (exponent beyond int range, such as 1e999999999999).
            throw new InvalidInputException("MALFORMED_JSON", Fields.abbreviate(String.valueOf(e.getMessage())));
        }
        if (node == null || !node.isObject()) {
            throw new InvalidInputException("MALFORMED_JSON", "a record must be a JSON object");
        }
        return node;
    }

    private static void requireType(Fields f, String expected) throws InvalidInputException {
        String type = f.text("type");
        if (!expected.equals(type)) {
            throw unknownType(type);
        }
    }

    private static InvalidInputException unknownType(String type) {
        return new InvalidInputException("UNKNOWN_TYPE", "type '" + Fields.abbreviate(type) + "' is not accepted on this topic");
    }

    private static SourceKind kind(String text) throws InvalidInputException {
        try {
            return SourceKind.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("INVALID_FIELD:kind", "kind must be ORACLE or EXCHANGE, not '" + Fields.abbreviate(text) + "'");
        }
    }
}

package io.collateralrisk.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the YAML configuration: the file is merged over the built-in defaults, then every key is
 * checked. Refused with a message naming the key: an unknown key, a malformed value, thresholds
 * out of order, a liquidation target not below warning minus hysteresis, a negative duration.
 *
 * <p>Named entries ({@code assets}, {@code pairs}, {@code policies}) in the file are added to the
 * built-in ones or merged over the built-in entry of the same name. A new pair takes the
 * {@code BTC-USD} defaults for the keys it omits; a new policy must give every threshold (a credit
 * policy is never completed by guessing), only {@code hysteresis} defaults to 0.01.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper CANONICAL =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final Pattern DURATION = Pattern.compile("(-?\\d+)(ms|s|m|h|d)");
    private static final String DEFAULT_PAIR = "BTC-USD";
    /** The spec allows the built-in tri-party policy a cure period of 24 to 72 hours only. */
    private static final String TRI_PARTY = "tri-party";
    private static final long TRI_PARTY_MIN_CURE = 24 * 3_600_000L;
    private static final long TRI_PARTY_MAX_CURE = 72 * 3_600_000L;

    private static final Set<String> TOP =
            Set.of("assets", "pairs", "divergence", "policies", "lifecycle", "solvency", "custody", "lateness", "live", "audit");
    private static final Set<String> ASSET_KEYS = Set.of("scale", "varianceFactor", "crossMargin", "usdPair");
    private static final Set<String> PAIR_KEYS = Set.of("quorum", "maxAge", "outlierBand", "twapWindow", "bounds", "priceScale");
    private static final Set<String> POLICY_KEYS =
            Set.of("initialMargin", "warning", "marginCall", "liquidation", "curePeriod", "liquidationTarget", "hysteresis");

    private ConfigLoader() {}

    public static RiskConfig defaults() {
        return fromTree(defaultTree());
    }

    public static RiskConfig load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot be read: " + e.getMessage());
        }
    }

    /** Parses YAML text merged over the defaults. */
    public static RiskConfig parse(String yaml) {
        JsonNode user;
        try {
            user = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ConfigException("(file)", "is not valid YAML: " + e.getMessage());
        }
        ObjectNode merged = defaultTree();
        if (user != null && !user.isMissingNode() && !user.isNull()) {
            if (!user.isObject()) {
                throw new ConfigException("(file)", "must be a mapping of keys");
            }
            mergeTop(merged, (ObjectNode) user);
        }
        return fromTree(merged);
    }

    private static ObjectNode defaultTree() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mergeTop(ObjectNode target, ObjectNode user) {
        for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (!TOP.contains(key)) {
                throw new ConfigException(key, "unknown key");
            }
            JsonNode value = e.getValue();
            if (!value.isObject()) {
                throw new ConfigException(key, "must be a mapping");
            }
            ObjectNode base = (ObjectNode) target.get(key);
            switch (key) {
                case "assets" -> mergeNamed(key, base, (ObjectNode) value, null, ASSET_KEYS);
                case "pairs" -> mergeNamed(key, base, (ObjectNode) value, (ObjectNode) base.get(DEFAULT_PAIR), PAIR_KEYS);
                case "policies" -> mergeNamed(key, base, (ObjectNode) value, null, POLICY_KEYS);
                default -> mergeStrict(key, base, (ObjectNode) value);
            }
        }
    }

    private static void mergeNamed(String path, ObjectNode base, ObjectNode user, ObjectNode template, Set<String> keys) {
        for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = path + "." + e.getKey();
            if (!e.getValue().isObject()) {
                throw new ConfigException(name, "must be a mapping");
            }
            for (Iterator<String> k = e.getValue().fieldNames(); k.hasNext(); ) {
                String field = k.next();
                if (!keys.contains(field)) {
                    throw new ConfigException(name + "." + field, "unknown key");
                }
            }
            ObjectNode existing = (ObjectNode) base.get(e.getKey());
            ObjectNode start;
            if (existing != null) {
                start = existing.deepCopy();
            } else if (template != null) {
                start = template.deepCopy();
            } else if ("policies".equals(path)) {
                start = JsonNodeFactory.instance.objectNode().put("hysteresis", "0.01");
            } else {
                start = JsonNodeFactory.instance.objectNode();
            }
            mergeStrict(name, start, (ObjectNode) e.getValue(), true);
            base.set(e.getKey(), start);
        }
    }

    private static void mergeStrict(String path, ObjectNode base, ObjectNode user) {
        mergeStrict(path, base, user, false);
    }

    private static void mergeStrict(String path, ObjectNode base, ObjectNode user, boolean allowNew) {
        for (Iterator<Map.Entry<String, JsonNode>> it = user.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = path + "." + e.getKey();
            JsonNode existing = base.get(e.getKey());
            if (existing == null && !allowNew) {
                throw new ConfigException(name, "unknown key");
            }
            if (existing != null && existing.isObject()) {
                if (!e.getValue().isObject()) {
                    throw new ConfigException(name, "must be a mapping");
                }
                mergeStrict(name, (ObjectNode) existing, (ObjectNode) e.getValue(), false);
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    private static RiskConfig fromTree(ObjectNode tree) {
        Map<String, Integer> assets = new TreeMap<>();
        Map<String, AssetConfig> assetConfigs = new TreeMap<>();
        tree.get("assets").fields().forEachRemaining(e -> {
            AssetConfig asset = asset(e.getKey(), e.getValue());
            assets.put(e.getKey(), asset.scale());
            assetConfigs.put(e.getKey(), asset);
        });

        Map<String, PairConfig> pairs = new TreeMap<>();
        tree.get("pairs").fields().forEachRemaining(e -> pairs.put(e.getKey(), pair(e.getKey(), e.getValue(), assets)));

        JsonNode d = tree.get("divergence");
        DivergenceConfig divergence =
                new DivergenceConfig(
                        positiveFraction(d, "divergence.threshold"),
                        positiveInt(d, "divergence.minConsecutive"),
                        duration(d, "divergence.minDuration"),
                        duration(d, "divergence.reconcileAfter"));

        Map<String, PolicyConfig> policies = new TreeMap<>();
        tree.get("policies").fields().forEachRemaining(e -> policies.put(e.getKey(), policy("policies." + e.getKey(), e.getValue())));
        if (policies.isEmpty()) {
            throw new ConfigException("policies", "at least one policy is required");
        }

        JsonNode l = tree.get("lifecycle");
        LifecycleConfig lifecycle =
                new LifecycleConfig(
                        duration(l, "lifecycle.confirmTimeout"),
                        duration(l, "lifecycle.holdEscalateAfter"),
                        duration(l, "lifecycle.rapidWindow"),
                        duration(l, "lifecycle.closedRetention"),
                        positiveInt(l, "lifecycle.circuitBreaker.maxLiquidations"),
                        duration(l, "lifecycle.circuitBreaker.window"));

        JsonNode s = tree.get("solvency");
        BigDecimal warnUtilization = positiveFraction(s, "solvency.warnUtilization");
        BigDecimal solvencyHysteresis = nonNegativeDecimal(s, "solvency.hysteresis");
        if (solvencyHysteresis.compareTo(warnUtilization) >= 0) {
            throw new ConfigException("solvency.hysteresis", "must be below solvency.warnUtilization");
        }
        SolvencyConfig solvency =
                new SolvencyConfig(
                        nonNegativeDecimal(s, "solvency.requiredMargin"),
                        warnUtilization,
                        solvencyHysteresis,
                        positiveInt(s, "solvency.maxPortfoliosPerWallet"),
                        positiveInt(s, "solvency.maxPositionsPerPortfolio"));
        BigDecimal blockage = positiveDecimal(tree.get("custody"), "custody.tradeBlockageUtilization");
        if (blockage.compareTo(BigDecimal.ONE) > 0) {
            throw new ConfigException("custody.tradeBlockageUtilization", "must be a fraction of at most 1 (0.80 is 80%)");
        }
        CustodyConfig custody = new CustodyConfig(blockage);

        long outOfOrder = duration(tree, "lateness.outOfOrder");
        long maxAhead = duration(tree, "lateness.maxAhead");
        long lagAlert = duration(tree, "live.watermarkLagAlert");
        long idleTimeout = duration(tree, "live.idleTimeout");
        int travelDays = positiveInt(tree, "audit.timeTravelDays");
        AuditCatalogConfig catalog = auditCatalog(tree.get("audit").get("catalog"));

        // Where the audit tables live is deployment, not policy: it does not change the hash.
        ObjectNode hashed = tree.deepCopy();
        ((ObjectNode) hashed.get("audit")).remove("catalog");
        omitLaterKeysAtDefault(hashed);
        String canonical;
        try {
            canonical = CANONICAL.writeValueAsString(CANONICAL.treeToValue(hashed, Object.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RiskConfig(
                Map.copyOf(assets),
                Map.copyOf(assetConfigs),
                Map.copyOf(pairs),
                divergence,
                Map.copyOf(policies),
                lifecycle,
                solvency,
                custody,
                outOfOrder,
                maxAhead,
                lagAlert,
                idleTimeout,
                travelDays,
                catalog,
                canonical,
                sha256(canonical));
    }

    /**
     * Removes from the hashed tree the keys added after the first configurations were hashed
     * (portfolio and custody settings) wherever they hold their built-in value, so a configuration
     * that predates them keeps its {@code configHash}, and the event ids derived from it, while a
     * file that changes one of them hashes differently.
     */
    private static void omitLaterKeysAtDefault(ObjectNode hashed) {
        ObjectNode builtIn = defaultTree();
        hashed.get("assets").fields().forEachRemaining(e -> {
            ObjectNode asset = (ObjectNode) e.getValue();
            JsonNode defaultAsset = builtIn.get("assets").get(e.getKey());
            if (defaultAsset != null && sameDecimal(asset.get("varianceFactor"), defaultAsset.get("varianceFactor"))) {
                asset.remove("varianceFactor");
            }
            if (asset.has("crossMargin") && asset.get("crossMargin").isBoolean() && asset.get("crossMargin").booleanValue()) {
                asset.remove("crossMargin");
            }
            if (asset.has("usdPair") && defaultUsdPair(e.getKey()).equals(asset.get("usdPair").asText())) {
                asset.remove("usdPair");
            }
        });
        ObjectNode solvency = (ObjectNode) hashed.get("solvency");
        ObjectNode defaultSolvency = (ObjectNode) builtIn.get("solvency");
        for (String key : List.of("warnUtilization", "hysteresis")) {
            if (sameDecimal(solvency.get(key), defaultSolvency.get(key))) {
                solvency.remove(key);
            }
        }
        ObjectNode custody = (ObjectNode) hashed.get("custody");
        if (sameDecimal(custody.get("tradeBlockageUtilization"), builtIn.get("custody").get("tradeBlockageUtilization"))) {
            custody.remove("tradeBlockageUtilization");
        }
        if (custody.isEmpty()) {
            hashed.remove("custody");
        }
    }

    private static boolean sameDecimal(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return false;
        }
        try {
            return new BigDecimal(a.asText().trim()).compareTo(new BigDecimal(b.asText().trim())) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String defaultUsdPair(String token) {
        return token + "-" + AssetConfig.QUOTE_CURRENCY;
    }

    private static AssetConfig asset(String name, JsonNode node) {
        String key = "assets." + name;
        int scale = integer(node, key + ".scale");
        if (scale < 0 || scale > 18) {
            throw new ConfigException(key + ".scale", "must be between 0 and 18");
        }
        BigDecimal variance = null;
        if (node.hasNonNull("varianceFactor")) {
            variance = decimal(node, key + ".varianceFactor");
            if (variance.compareTo(BigDecimal.ONE) < 0) {
                throw new ConfigException(key + ".varianceFactor", "must be at least 1");
            }
            // Only the currency everything is valued in is free of price risk.
            if (variance.compareTo(BigDecimal.ONE) == 0 && !AssetConfig.QUOTE_CURRENCY.equals(name)) {
                throw new ConfigException(
                        key + ".varianceFactor", "must be above 1: only the quote currency " + AssetConfig.QUOTE_CURRENCY + " may have 1");
            }
        }
        boolean crossMargin = true;
        if (node.has("crossMargin")) {
            JsonNode value = node.get("crossMargin");
            if (!value.isBoolean()) {
                throw new ConfigException(key + ".crossMargin", "must be true or false");
            }
            crossMargin = value.booleanValue();
        }
        String usdPair = defaultUsdPair(name);
        if (node.has("usdPair")) {
            usdPair = text(node, key + ".usdPair");
            if (!usdPair.matches("[^-]+-" + AssetConfig.QUOTE_CURRENCY)) {
                throw new ConfigException(key + ".usdPair", "must name a pair quoted in USD, such as " + defaultUsdPair(name));
            }
        }
        return new AssetConfig(scale, variance, crossMargin, usdPair);
    }

    private static AuditCatalogConfig auditCatalog(JsonNode node) {
        String type = text(node, "audit.catalog.type");
        String warehouse = text(node, "audit.catalog.warehouse");
        String uri = text(node, "audit.catalog.uri");
        if (!AuditCatalogConfig.HADOOP.equals(type) && !AuditCatalogConfig.JDBC.equals(type)) {
            throw new ConfigException("audit.catalog.type", "must be hadoop or jdbc");
        }
        if (AuditCatalogConfig.JDBC.equals(type)) {
            if (!uri.startsWith("jdbc:")) {
                throw new ConfigException("audit.catalog.uri", "a jdbc catalog needs a JDBC URL, such as jdbc:postgresql://host:5432/db");
            }
            if (warehouse.isEmpty()) {
                throw new ConfigException("audit.catalog.warehouse", "a jdbc catalog needs the warehouse location of its data files");
            }
        }
        return new AuditCatalogConfig(type, warehouse, uri, text(node, "audit.catalog.user"), text(node, "audit.catalog.passwordEnv"));
    }

    private static String text(JsonNode parent, String key) {
        JsonNode value = parent.get(key.substring(key.lastIndexOf('.') + 1));
        if (value == null || !value.isTextual()) {
            throw new ConfigException(key, "must be a string");
        }
        return value.asText();
    }

    private static PairConfig pair(String name, JsonNode node, Map<String, Integer> assets) {
        String key = "pairs." + name;
        String[] parts = name.split("-");
        if (parts.length != 2) {
            throw new ConfigException(key, "a pair is named BASE-QUOTE, such as BTC-USD");
        }
        for (String asset : parts) {
            if (!assets.containsKey(asset)) {
                throw new ConfigException(key, "asset " + asset + " is not defined under assets");
            }
        }
        for (String k : PAIR_KEYS) {
            if (!node.has(k)) {
                throw new ConfigException(key + "." + k, "is required");
            }
        }
        int quorum = positiveInt(node, key + ".quorum");
        JsonNode maxAge = node.get("maxAge");
        checkKeys(maxAge, key + ".maxAge", Set.of("ORACLE", "EXCHANGE"));
        long oracle = positiveDuration(maxAge, key + ".maxAge.ORACLE");
        long exchange = positiveDuration(maxAge, key + ".maxAge.EXCHANGE");
        BigDecimal band = positiveFraction(node, key + ".outlierBand");
        long twap = positiveDuration(node, key + ".twapWindow");
        JsonNode bounds = node.get("bounds");
        checkKeys(bounds, key + ".bounds", Set.of("min", "max"));
        BigDecimal min = decimal(bounds, key + ".bounds.min");
        BigDecimal max = decimal(bounds, key + ".bounds.max");
        if (min.signum() <= 0) {
            throw new ConfigException(key + ".bounds.min", "must be positive");
        }
        if (max.compareTo(min) <= 0) {
            throw new ConfigException(key + ".bounds.max", "must be above bounds.min");
        }
        int priceScale = integer(node, key + ".priceScale");
        if (priceScale < 0 || priceScale > 18) {
            throw new ConfigException(key + ".priceScale", "must be between 0 and 18");
        }
        return new PairConfig(parts[0], parts[1], quorum, oracle, exchange, band, twap, min, max, priceScale);
    }

    private static PolicyConfig policy(String key, JsonNode node) {
        for (String k : POLICY_KEYS) {
            if (!node.has(k)) {
                throw new ConfigException(key + "." + k, "is required");
            }
        }
        BigDecimal initial = positiveFraction(node, key + ".initialMargin");
        BigDecimal warning = positiveFraction(node, key + ".warning");
        BigDecimal call = positiveFraction(node, key + ".marginCall");
        BigDecimal liquidation = positiveDecimal(node, key + ".liquidation");
        BigDecimal target = positiveFraction(node, key + ".liquidationTarget");
        BigDecimal hysteresis = nonNegativeDecimal(node, key + ".hysteresis");
        long cure = positiveDuration(node, key + ".curePeriod");
        if (warning.compareTo(initial) < 0) {
            throw new ConfigException(key + ".warning", "thresholds out of order: warning must not be below initialMargin");
        }
        if (call.compareTo(warning) <= 0) {
            throw new ConfigException(key + ".marginCall", "thresholds out of order: marginCall must be above warning");
        }
        if (liquidation.compareTo(call) <= 0) {
            throw new ConfigException(key + ".liquidation", "thresholds out of order: liquidation must be above marginCall");
        }
        if (hysteresis.compareTo(warning) >= 0) {
            throw new ConfigException(key + ".hysteresis", "must be below warning");
        }
        if (target.compareTo(warning.subtract(hysteresis)) >= 0) {
            throw new ConfigException(key + ".liquidationTarget", "must be below warning minus hysteresis");
        }
        if (key.equals("policies." + TRI_PARTY) && (cure < TRI_PARTY_MIN_CURE || cure > TRI_PARTY_MAX_CURE)) {
            throw new ConfigException(key + ".curePeriod", "a tri-party cure period must be between 24h and 72h");
        }
        return new PolicyConfig(initial, warning, call, liquidation, cure, target, hysteresis);
    }

    private static void checkKeys(JsonNode node, String key, Set<String> allowed) {
        if (node == null || !node.isObject()) {
            throw new ConfigException(key, "must be a mapping");
        }
        node.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                throw new ConfigException(key + "." + k, "unknown key");
            }
        });
    }

    /** Reads the value at a dotted path below {@code node}; the path's last parts are looked up. */
    private static JsonNode at(JsonNode node, String key) {
        String[] parts = key.split("\\.");
        // Keys are given in full for messages; the longest tail of the key that resolves below node
        // is the value. Trying tails in turn, not the first part node has, lets an entry be named
        // like a field (a policy called "warning").
        for (int i = 0; i < parts.length; i++) {
            JsonNode current = node;
            for (int j = i; j < parts.length && current != null; j++) {
                current = current.get(parts[j]);
            }
            if (current != null && !current.isNull()) {
                return current;
            }
        }
        throw new ConfigException(key, "is required");
    }

    private static BigDecimal decimal(JsonNode node, String key) {
        JsonNode value = at(node, key);
        try {
            return new BigDecimal(value.asText().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "must be a decimal number, not '" + value.asText() + "'");
        }
    }

    private static BigDecimal positiveDecimal(JsonNode node, String key) {
        BigDecimal value = decimal(node, key);
        if (value.signum() <= 0) {
            throw new ConfigException(key, "must be positive");
        }
        return value;
    }

    private static BigDecimal nonNegativeDecimal(JsonNode node, String key) {
        BigDecimal value = decimal(node, key);
        if (value.signum() < 0) {
            throw new ConfigException(key, "must not be negative");
        }
        return value;
    }

    private static BigDecimal positiveFraction(JsonNode node, String key) {
        BigDecimal value = positiveDecimal(node, key);
        if (value.compareTo(BigDecimal.ONE) >= 0) {
            throw new ConfigException(key, "must be a fraction below 1 (0.05 is 5%)");
        }
        return value;
    }

    private static int integer(JsonNode node, String key) {
        JsonNode value = node.isObject() ? at(node, key) : node;
        if (!value.canConvertToInt() || (!value.isIntegralNumber() && !value.asText().matches("-?\\d+"))) {
            throw new ConfigException(key, "must be a whole number");
        }
        return value.isIntegralNumber() ? value.intValue() : Integer.parseInt(value.asText());
    }

    private static int positiveInt(JsonNode node, String key) {
        int value = integer(node, key);
        if (value <= 0) {
            throw new ConfigException(key, "must be positive");
        }
        return value;
    }

    private static long duration(JsonNode node, String key) {
        String text = at(node, key).asText().trim();
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new ConfigException(key, "must be a duration such as 500ms, 30s, 5m, 48h or 30d, not '" + text + "'");
        }
        if (m.group(1).startsWith("-")) {
            throw new ConfigException(key, "must not be a negative duration");
        }
        long unit = switch (m.group(2)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> 86_400_000L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ConfigException(key, "is too long a duration: '" + text + "'");
        }
    }

    private static long positiveDuration(JsonNode node, String key) {
        long value = duration(node, key);
        if (value <= 0) {
            throw new ConfigException(key, "must be a positive duration");
        }
        return value;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.collateralrisk.solvency.portfolio;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds the portfolios a price move could move across a threshold, without walking every
 * portfolio that holds the pair.
 *
 * <p>Each valued portfolio is filed, per pair and side (the credit or the debt price), under a
 * band {@code [P x (1 - r), P x (1 + r)]} around the price it was valued at, where {@code r} is
 * its safe relative move ({@link SolvencyRules#safeRelativeMove}): while every price stays
 * strictly inside its band the portfolio cannot change state. Bands are kept in two sorted maps
 * per pair and side, by lower and by upper bound, so a move to {@code x} finds the portfolios
 * whose band ends at or beyond {@code x} in {@code O(log n + k)}, {@code k} the portfolios found.
 * The caller re-values those and files them again around the new prices.
 *
 * <p>Separately, every portfolio is listed under each pair it holds a cross-margined balance in
 * ({@link #holders}): when a pair gains or loses its price, every holder changes state
 * ({@code UNVALUED} or back), so that rare event costs one re-valuation per holder.
 *
 * @param <K> the portfolio key, ordered so that results come in a deterministic order
 */
public final class PriceBandIndex<K extends Comparable<K>> {

    /** Which price of a pair a band watches. */
    public enum Side {
        CREDIT,
        DEBT
    }

    /**
     * A band a portfolio is filed under.
     *
     * @param lower null when the band reaches down to zero (no fall can cross)
     */
    public record Band(String pair, Side side, BigDecimal lower, BigDecimal upper) {}

    private record Track(String pair, Side side) {}

    /** The bands of one pair and side, by bound. */
    private static final class Bands<K> {
        final TreeMap<BigDecimal, Set<K>> byLower = new TreeMap<>();
        final TreeMap<BigDecimal, Set<K>> byUpper = new TreeMap<>();
    }

    private final Map<Track, Bands<K>> bands = new HashMap<>();
    private final Map<K, List<Band>> bandsOf = new HashMap<>();
    private final Map<String, Set<K>> holders = new HashMap<>();
    private final Map<K, Set<String>> heldPairsOf = new HashMap<>();

    /**
     * Files {@code key} under the band of relative width {@code move} around each price it was
     * valued at, replacing what was filed before. A null {@code move} files no band: no price move
     * can change the portfolio's state.
     */
    public void put(K key, PortfolioValuation valuation, BigDecimal move) {
        remove(key);
        Set<String> held = valuation.heldPairs();
        if (!held.isEmpty()) {
            heldPairsOf.put(key, held);
            for (String pair : held) {
                holders.computeIfAbsent(pair, p -> new TreeSet<>()).add(key);
            }
        }
        if (move == null) {
            return;
        }
        List<Band> filed = new ArrayList<>();
        for (PairQuote quote : distinctQuotes(valuation.quotes().values())) {
            if (valuation.creditPairs().contains(quote.pair())) {
                filed.add(band(quote.pair(), Side.CREDIT, quote.creditPrice(), move));
            }
            if (valuation.debtPairs().contains(quote.pair())) {
                filed.add(band(quote.pair(), Side.DEBT, quote.debtPrice(), move));
            }
        }
        for (Band band : filed) {
            Bands<K> b = bands.computeIfAbsent(new Track(band.pair(), band.side()), t -> new Bands<>());
            if (band.lower() != null) {
                b.byLower.computeIfAbsent(band.lower(), x -> new TreeSet<>()).add(key);
            }
            b.byUpper.computeIfAbsent(band.upper(), x -> new TreeSet<>()).add(key);
        }
        if (!filed.isEmpty()) {
            bandsOf.put(key, List.copyOf(filed));
        }
    }

    private static Collection<PairQuote> distinctQuotes(Collection<PairQuote> quotes) {
        // Two tokens can share a pair (a wrapped token priced by its original).
        Map<String, PairQuote> byPair = new TreeMap<>();
        quotes.forEach(q -> byPair.put(q.pair(), q));
        return byPair.values();
    }

    private static Band band(String pair, Side side, BigDecimal price, BigDecimal move) {
        BigDecimal lower = move.compareTo(BigDecimal.ONE) >= 0 ? null : price.multiply(BigDecimal.ONE.subtract(move));
        return new Band(pair, side, lower, price.multiply(BigDecimal.ONE.add(move)));
    }

    /** Forgets {@code key}. */
    public void remove(K key) {
        List<Band> filed = bandsOf.remove(key);
        if (filed != null) {
            for (Band band : filed) {
                Track track = new Track(band.pair(), band.side());
                Bands<K> b = bands.get(track);
                if (band.lower() != null) {
                    unfile(b.byLower, band.lower(), key);
                }
                unfile(b.byUpper, band.upper(), key);
                if (b.byUpper.isEmpty()) {
                    bands.remove(track);
                }
            }
        }
        Set<String> held = heldPairsOf.remove(key);
        if (held != null) {
            for (String pair : held) {
                Set<K> keys = holders.get(pair);
                keys.remove(key);
                if (keys.isEmpty()) {
                    holders.remove(pair);
                }
            }
        }
    }

    private static <K> void unfile(TreeMap<BigDecimal, Set<K>> map, BigDecimal bound, K key) {
        Set<K> keys = map.get(bound);
        keys.remove(key);
        if (keys.isEmpty()) {
            map.remove(bound);
        }
    }

    /**
     * The portfolios whose band on {@code pair} the new prices reach or leave: a credit band at or
     * beyond {@code creditPrice}, a debt band at or beyond {@code debtPrice}. At a bound the move
     * may just reach a threshold, so a bound counts as left.
     */
    public SortedSet<K> moved(String pair, BigDecimal creditPrice, BigDecimal debtPrice) {
        SortedSet<K> found = new TreeSet<>();
        collect(bands.get(new Track(pair, Side.CREDIT)), creditPrice, found);
        collect(bands.get(new Track(pair, Side.DEBT)), debtPrice, found);
        return found;
    }

    private static <K> void collect(Bands<K> b, BigDecimal price, Set<K> found) {
        if (b == null) {
            return;
        }
        addAll(b.byLower.tailMap(price, true), found);
        addAll(b.byUpper.headMap(price, true), found);
    }

    private static <K> void addAll(NavigableMap<BigDecimal, Set<K>> part, Set<K> found) {
        part.values().forEach(found::addAll);
    }

    /** Every portfolio holding a cross-margined balance priced by {@code pair}, in order. */
    public SortedSet<K> holders(String pair) {
        Set<K> keys = holders.get(pair);
        return keys == null ? new TreeSet<>() : new TreeSet<>(keys);
    }

    /** The bands {@code key} is filed under; empty when none. */
    public List<Band> bandsOf(K key) {
        return bandsOf.getOrDefault(key, List.of());
    }

    /** Number of portfolios filed under at least one band, for tests and metrics. */
    public int bandedCount() {
        return bandsOf.size();
    }
}

package io.collateralrisk.solvency.portfolio;

/** The prices a valuation may use: the latest evaluation of each pair. */
public interface PriceLookup {

    /** The pair's quote, or null while it has no price (never evaluated, or {@code UNAVAILABLE}). */
    PairQuote quote(String pair);

    /** Whether the pair has been evaluated at all, to tell {@code NEVER_EVALUATED} from {@code PRICE_UNAVAILABLE}. */
    boolean evaluated(String pair);
}

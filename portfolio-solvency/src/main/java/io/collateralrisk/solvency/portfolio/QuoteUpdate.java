package io.collateralrisk.solvency.portfolio;

import io.collateralrisk.model.ReferencePrice;

/**
 * One evaluation of a pair as the portfolio stage takes it: broadcast to every subtask, and the
 * latest per pair kept in each shard's keyed state.
 *
 * @param quote null while the pair is {@code UNAVAILABLE} (never valued at a guess)
 */
public record QuoteUpdate(String pair, long eventTime, String evaluationId, PairQuote quote) {

    public static QuoteUpdate of(ReferencePrice r) {
        return new QuoteUpdate(r.pair(), r.eventTime(), r.evaluationId(), PairQuote.of(r));
    }
}

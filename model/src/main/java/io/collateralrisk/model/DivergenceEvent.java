package io.collateralrisk.model;

import java.math.BigDecimal;

/**
 * {@code DIVERGENCE_OPENED} or {@code DIVERGENCE_CLOSED} on {@code risk.divergence}: an incident of
 * the primary oracle disagreeing with the exchange TWAP, with the prices at open and close, the
 * peak divergence, how long it lasted and how it closed.
 *
 * @param runStartedAt the first reading of the run that opened the incident
 * @param closedBy {@code RECONCILED} (quiet for {@code reconcileAfter}) or {@code RESOLVED} (by an operator); null when opened
 * @param reviewStatus {@code PENDING} until an operator resolves the incident, then {@code RESOLVED}
 * @param ingestedAt for an opening, when the source read the latest tick of the evaluation whose
 *     reading opened it (wall-clock ms); 0 for a close, which a timer or an operator causes.
 *     Transport metadata for the latency metric, never written to any output or audit row.
 */
public record DivergenceEvent(
        String type,
        String eventId,
        long eventTime,
        String pair,
        String incidentId,
        long openedAt,
        long runStartedAt,
        BigDecimal threshold,
        BigDecimal primaryAtOpen,
        BigDecimal twapAtOpen,
        BigDecimal medianAtOpen,
        BigDecimal divergenceAtOpen,
        BigDecimal primaryAtClose,
        BigDecimal twapAtClose,
        BigDecimal medianAtClose,
        BigDecimal peakDivergence,
        long peakAt,
        Long durationSeconds,
        String closedBy,
        String resolvedBy,
        String resolution,
        String reviewStatus,
        String configHash,
        long ingestedAt) {

    public static final String OPENED = "DIVERGENCE_OPENED";
    public static final String CLOSED = "DIVERGENCE_CLOSED";
}

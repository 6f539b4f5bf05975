package io.collateralrisk.solvency.portfolio;

import io.collateralrisk.model.SolvencyEvent;
import java.util.List;

/**
 * What one {@code portfolio-events} record did.
 *
 * @param reason for {@link Kind#REFUSED}: the dead-letter reason, such as {@code LIMIT_EXCEEDED}
 * @param events the {@code risk.solvency} records it caused, in order
 */
public record PortfolioOutcome(Kind kind, String reason, String detail, List<SolvencyEvent> events) {

    /** How the record was taken. */
    public enum Kind {
        /** Applied to the portfolio. */
        APPLIED,
        /** Not newer than the position's last applied version: a counted no-op. */
        STALE,
        /** Dead-lettered with {@code reason}; nothing changed. */
        REFUSED
    }

    static PortfolioOutcome applied(List<SolvencyEvent> events) {
        return new PortfolioOutcome(Kind.APPLIED, null, null, List.copyOf(events));
    }

    static PortfolioOutcome stale() {
        return new PortfolioOutcome(Kind.STALE, null, null, List.of());
    }

    static PortfolioOutcome refused(String reason, String detail) {
        return new PortfolioOutcome(Kind.REFUSED, reason, detail, List.of());
    }
}

package io.collateralrisk.model;

/**
 * One accepted {@code risk-control} record: exactly one of the two is set. (A union record rather
 * than an interface, so that Flink serializes it field by field.)
 */
public record ControlRecord(DivergenceResolved divergenceResolved, HoldsReleased holdsReleased) {

    public static ControlRecord of(DivergenceResolved resolved) {
        return new ControlRecord(resolved, null);
    }

    public static ControlRecord of(HoldsReleased released) {
        return new ControlRecord(null, released);
    }

    public String pair() {
        return divergenceResolved != null ? divergenceResolved.pair() : holdsReleased.pair();
    }

    public long eventTime() {
        return divergenceResolved != null ? divergenceResolved.eventTime() : holdsReleased.eventTime();
    }
}

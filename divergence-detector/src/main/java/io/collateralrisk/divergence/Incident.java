package io.collateralrisk.divergence;

import java.math.BigDecimal;

/** The open incident of a pair (feed-health state). */
public class Incident {

    public String pair;
    public String incidentId;
    public long openedAt;
    public long runStartedAt;
    public BigDecimal primaryAtOpen;
    public BigDecimal twapAtOpen;
    public BigDecimal medianAtOpen;
    public BigDecimal divergenceAtOpen;
    public BigDecimal peakDivergence;
    public long peakAt;
    /** Prices of the latest reading: what a close by timer reports. */
    public BigDecimal lastPrimary;
    public BigDecimal lastTwap;
    public BigDecimal lastMedian;
    /** The first reading at or below the threshold since the last one above; null while diverging. */
    public Long quietSince;

    public Incident() {}
}

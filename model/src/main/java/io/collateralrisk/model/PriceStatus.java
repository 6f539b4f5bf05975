package io.collateralrisk.model;

/** Whether an evaluation reached quorum. */
public enum PriceStatus {
    OK,
    UNAVAILABLE
}

package io.collateralrisk.ltv.lifecycle;

/**
 * A facility moving from one band to another: the low-rate stream that the CEP patterns watch.
 *
 * @param eventType the lifecycle event that reported the move, such as {@code MARGIN_CALL_ISSUED}
 * @param cause the {@code eventId} of that lifecycle event
 */
public record BandChange(
        String facilityId, String borrowerId, String pair, String policy, long eventTime, Band from, Band to, String eventType, String cause) {}

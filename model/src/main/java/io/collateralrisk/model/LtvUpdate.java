package io.collateralrisk.model;

import java.math.BigDecimal;

/**
 * {@code LTV} on the compacted {@code risk.ltv} topic: the latest state of one facility, written
 * when its band or its record changes. {@code debtPerCollateral} ({@code D / C}) lets a consumer
 * compute the LTV at any price: {@code LTV = debtPerCollateral / price}. A closed facility is a
 * tombstone ({@code closed}: the Kafka record has a null value).
 */
public record LtvUpdate(
        String eventId,
        long eventTime,
        String facilityId,
        String pair,
        String policy,
        String band,
        BigDecimal ltv,
        boolean ltvInfinite,
        BigDecimal collateral,
        BigDecimal outstanding,
        BigDecimal debtPerCollateral,
        BigDecimal ltvPrice,
        String evaluationId,
        boolean closed,
        String configHash) {

    public static final String TYPE = "LTV";
}

package io.collateralrisk.model.config;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * Custody-pool settings.
 *
 * @param tradeBlockageUtilization {@code custody.tradeBlockageUtilization}: the utilization
 *     ({@code locked / base}) at which a pool blocks trading, used when a snapshot carries no
 *     {@code tradeBlockageUtilizationBps} of its own; a fraction above 0 and at most 1
 */
public record CustodyConfig(BigDecimal tradeBlockageUtilization) implements Serializable {}

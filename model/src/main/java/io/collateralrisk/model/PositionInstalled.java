package io.collateralrisk.model;

/** {@code POSITION_INSTALLED}: a producer created a position in one of the wallet's portfolios. */
public record PositionInstalled(
        long eventTime, String wallet, int portfolio, String position, String producer, PositionBalances balances, long version)
        implements PortfolioEvent {}

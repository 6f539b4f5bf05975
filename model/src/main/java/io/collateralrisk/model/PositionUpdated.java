package io.collateralrisk.model;

/** {@code POSITION_UPDATED}: a live position's balances, absolute, at a newer version. */
public record PositionUpdated(long eventTime, String wallet, int portfolio, String position, PositionBalances balances, long version)
        implements PortfolioEvent {}

package io.collateralrisk.model;

/** {@code POSITION_UNINSTALLED}: a live position leaves its portfolio. */
public record PositionUninstalled(long eventTime, String wallet, int portfolio, String position, long version)
        implements PortfolioEvent {}

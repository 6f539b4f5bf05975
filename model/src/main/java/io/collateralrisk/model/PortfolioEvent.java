package io.collateralrisk.model;

/**
 * An event of the {@code portfolio-events} topic, keyed by {@code wallet}. Every variant carries
 * the position's identity and version, because the version is checked before anything else: a
 * record not newer than the position's last applied version is a counted no-op whatever else is
 * wrong with it, so even a refused record ({@link PositionRecordRefused}) must say which position
 * and version it names.
 */
public sealed interface PortfolioEvent permits PositionInstalled, PositionUpdated, PositionUninstalled, PositionRecordRefused {

    long eventTime();

    String wallet();

    /** Unique within the wallet. */
    String position();

    long version();
}

package io.collateralrisk.model;

/**
 * A {@code portfolio-events} record whose position and version could be read but whose content
 * is refused (an unknown token, a negative amount, a portfolio index out of range...). It is
 * dead-lettered with {@code reason} only if its version is newer than the position's last applied
 * one; otherwise it is a counted no-op like any stale record.
 *
 * @param type the record's {@code type}
 * @param reason machine-readable, such as {@code UNKNOWN_TOKEN} or {@code NEGATIVE_AMOUNT:debts.USDC}
 */
public record PositionRecordRefused(
        long eventTime, String wallet, String position, long version, String type, String reason, String detail)
        implements PortfolioEvent {}

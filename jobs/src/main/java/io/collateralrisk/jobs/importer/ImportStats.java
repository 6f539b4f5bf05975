package io.collateralrisk.jobs.importer;

/**
 * What one import did.
 *
 * @param rowsRead data rows read from all files (header rows not counted)
 * @param ticksWritten {@code PRICE_TICK} lines written
 * @param zeroVolumeFillsSkipped candle rows with zero volume: forward fills, not trades, so no tick
 */
public record ImportStats(long rowsRead, long ticksWritten, long zeroVolumeFillsSkipped) {}

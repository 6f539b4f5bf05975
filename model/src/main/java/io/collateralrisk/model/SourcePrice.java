package io.collateralrisk.model;

import java.math.BigDecimal;

/** A source used by an evaluation: its last accepted tick. */
public record SourcePrice(String source, SourceKind kind, BigDecimal price, long eventTime) {}

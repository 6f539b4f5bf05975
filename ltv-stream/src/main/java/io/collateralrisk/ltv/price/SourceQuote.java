package io.collateralrisk.ltv.price;

import io.collateralrisk.model.SourceKind;
import java.math.BigDecimal;
import java.math.BigInteger;

/** The last accepted tick of one source of a pair: what an evaluation looks at. */
public record SourceQuote(String source, SourceKind kind, BigDecimal price, long eventTime, BigInteger round) {}

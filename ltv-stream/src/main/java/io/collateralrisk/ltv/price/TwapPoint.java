package io.collateralrisk.ltv.price;

import java.math.BigDecimal;

/** The exchange median at one evaluation; it stands until the next evaluation. Null: no fresh exchange. */
public record TwapPoint(long time, BigDecimal value) {}

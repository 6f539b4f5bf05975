package io.collateralrisk.jobs.input;

import io.collateralrisk.model.ControlRecord;

/** An accepted {@code risk-control} record, with where it was read and what it said (for its audit row and dead letters). */
public record ControlInput(ControlRecord record, String location, String payload) {}

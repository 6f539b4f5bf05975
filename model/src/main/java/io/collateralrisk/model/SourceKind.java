package io.collateralrisk.model;

/** What a price source is: the primary oracle, or an exchange. */
public enum SourceKind {
    ORACLE,
    EXCHANGE
}

package io.collateralrisk.model.json;

/** A record that must go to the dead-letter path, with its machine-readable reason. */
public final class InvalidInputException extends Exception {

    private final String reason;

    public InvalidInputException(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    /** For example {@code MISSING_FIELD:price}. */
    public String reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}

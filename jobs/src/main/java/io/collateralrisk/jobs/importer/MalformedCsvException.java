package io.collateralrisk.jobs.importer;

import java.io.IOException;
import java.nio.file.Path;

/** A CSV row (or header) the importer cannot convert; names the file and the 1-based line. */
public final class MalformedCsvException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long line;

    public MalformedCsvException(Path file, long line, String reason) {
        super(file + ", line " + line + ": " + reason);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** 1-based physical line number; the header is line 1. */
    public long line() {
        return line;
    }
}

package io.collateralrisk.jobs.cli;

import io.collateralrisk.jobs.importer.ImportStats;
import io.collateralrisk.jobs.importer.PriceImporter;
import io.collateralrisk.model.SourceKind;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code bin/risk import}: historical price CSVs to {@code prices} JSONL. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Converts historical price CSV files (1-minute exchange candles or Chainlink round history,"
                    + " plain or .gz) into prices JSONL: one PRICE_TICK per line, all files merged in"
                    + " event-time order.",
            "Candles: the close at the end of its minute; zero-volume rows (forward fills) give no tick."
                    + " Chainlink: answer_usd at updated_at_s, with round_id.",
            "A row that does not convert stops the import with its file and line; nothing is written."
        })
public final class ImportCommand implements Callable<Integer> {

    @Spec private CommandSpec spec;

    @Option(
            names = "--format",
            required = true,
            paramLabel = "candles|chainlink",
            converter = FormatConverter.class,
            description = "Input layout (case-insensitive).")
    private PriceImporter.Format format;

    @Option(names = "--source", required = true, paramLabel = "NAME", description = "Source name, e.g. coinbase.")
    private String source;

    @Option(
            names = "--kind",
            required = true,
            paramLabel = "EXCHANGE|ORACLE",
            converter = KindConverter.class,
            description = "Source kind (case-insensitive).")
    private SourceKind kind;

    @Option(names = "--pair", required = true, paramLabel = "PAIR", description = "Pair, e.g. BTC-USD.")
    private String pair;

    @Option(names = "--out", paramLabel = "FILE", description = "Output file (default: standard output).")
    private Path out;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Input CSV files, .gz for gzip.")
    private List<Path> files;

    @Override
    public Integer call() {
        if (source.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--source must not be blank");
        }
        if (pair.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--pair must not be blank");
        }
        PrintWriter err = spec.commandLine().getErr();
        try {
            ImportStats stats = out == null ? toStandardOutput() : toFile(out);
            err.printf(
                    "import: %d file(s), %d rows read, %d ticks written, %d zero-volume fills skipped -> %s%n",
                    files.size(),
                    stats.rowsRead(),
                    stats.ticksWritten(),
                    stats.zeroVolumeFillsSkipped(),
                    out == null ? "standard output" : out);
            err.flush();
            return 0;
        } catch (IOException e) {
            err.println("import failed: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    private ImportStats toStandardOutput() throws IOException {
        // picocli's writer, so that callers (and tests) can redirect it; it never throws, so ask.
        PrintWriter stdout = spec.commandLine().getOut();
        ImportStats stats = convert(new BufferedWriter(stdout, 64 * 1024));
        if (stdout.checkError()) {
            throw new IOException("could not write to standard output");
        }
        return stats;
    }

    private ImportStats toFile(Path target) throws IOException {
        // Written beside the target and moved into place on success: a failed import never leaves
        // a truncated file, nor destroys an earlier good one.
        Path absolute = target.toAbsolutePath();
        if (!Files.isDirectory(absolute.getParent())) {
            throw new IOException("output directory does not exist: " + absolute.getParent());
        }
        Path temp = Files.createTempFile(absolute.getParent(), absolute.getFileName() + ".", ".tmp");
        try {
            ImportStats stats;
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                stats = convert(writer);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            return stats;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private ImportStats convert(Writer writer) throws IOException {
        return PriceImporter.convert(format, source, kind, pair, files, writer);
    }

    /** Case-insensitive, whatever the root command's settings. */
    public static final class FormatConverter implements ITypeConverter<PriceImporter.Format> {
        @Override
        public PriceImporter.Format convert(String value) {
            return parseEnum(PriceImporter.Format.class, value, "candles or chainlink");
        }
    }

    public static final class KindConverter implements ITypeConverter<SourceKind> {
        @Override
        public SourceKind convert(String value) {
            return parseEnum(SourceKind.class, value, "EXCHANGE or ORACLE");
        }
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String expected) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("expected " + expected + ", got '" + value + "'");
        }
    }
}

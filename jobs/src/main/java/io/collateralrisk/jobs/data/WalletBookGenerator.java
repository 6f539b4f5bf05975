package io.collateralrisk.jobs.data;

import io.collateralrisk.model.json.CustodySnapshotParser;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the generated wallet book ({@link WalletBook}) and custody snapshots
 * ({@link CustodyScript}) as {@code DIR/portfolio-events.jsonl} and
 * {@code DIR/custody-snapshots.jsonl}, the files {@code bin/risk replay --input DIR} reads, for the
 * bundled March 2023 prices. Run them under {@link WalletBook#config()}: the defaults know neither
 * {@code USDC} nor the tail token, nor the pair {@code USDC-USD}.
 *
 * <p>A demo publishing to Kafka instead of writing files takes the lines and keys from the parts:
 *
 * <pre>
 * RiskConfig config = WalletBook.config();
 * WalletBook book = WalletBook.generate(seed, WalletBookGenerator.DEFAULT_WALLETS);
 * CustodyScript custody = CustodyScript.generate(seed);
 * book.events()          to portfolio-events,  key WalletBook.key(line)
 * custody.snapshots()    to custody-snapshots, key CustodyScript.key(line)
 * BundledPrices.impliedUsdcTicks(config.priceScale("USDC-USD"))   to prices, key USDC-USD
 * print book.summary().render() and custody.render()
 * </pre>
 */
public final class WalletBookGenerator {

    public static final String PORTFOLIO_EVENTS = "portfolio-events";
    public static final String CUSTODY_SNAPSHOTS = CustodySnapshotParser.TOPIC;
    public static final int DEFAULT_WALLETS = 2_000;

    private WalletBookGenerator() {}

    /** The two files written and what they hold. */
    public record Written(Path portfolioEvents, Path custodySnapshots, WalletBook book, CustodyScript custody) {

        /** What was generated, a few lines for a terminal. */
        public String summary() {
            return book.summary().render() + custody.render();
        }
    }

    /** Writes both files into {@code dir} (created if missing; files of the same names are replaced). */
    public static Written write(Path dir, long seed, int wallets) throws IOException {
        WalletBook book = WalletBook.generate(seed, wallets);
        CustodyScript custody = CustodyScript.generate(seed);
        Files.createDirectories(dir);
        Path events = dir.resolve(PORTFOLIO_EVENTS + ".jsonl");
        Path snapshots = dir.resolve(CUSTODY_SNAPSHOTS + ".jsonl");
        writeLines(events, book.events());
        writeLines(snapshots, custody.snapshots());
        return new Written(events, snapshots, book, custody);
    }

    /** One record a line, {@code \n} after each whatever the platform: the same seed gives the same bytes everywhere. */
    private static void writeLines(Path file, List<String> lines) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (String line : lines) {
                out.write(line);
                out.write('\n');
            }
        }
    }
}

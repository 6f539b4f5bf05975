package io.collateralrisk.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.jobs.cli.RiskCli;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What a newcomer sees: {@code bin/risk demo} run as bin/risk runs it (a JVM of its own with
 * {@code bin/log4j2.properties}, from a directory of its own), on one day of the bundled data and a
 * small loan book. Its whole terminal output (stdout and stderr together) must be the demo's own
 * lines: no stack trace, no log line, a screen or two; it names the log file, which holds the
 * job's log; and every command it suggests runs as printed against the demo's warehouse.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DemoTerminalOutputTest {

    /** "A screen or two". */
    private static final int MAX_LINES = 60;
    /** A stack frame, a cause, or an exception's class name as Java prints them. */
    private static final Pattern STACK_TRACE =
            Pattern.compile("^\\s+at [\\w$.]+\\(|^Caused by: |^\\s*Suppressed: |^Exception in thread |\\b[\\w.]+(Exception|Error): ");
    /**
     * A log line (a time then a level, as bin/log4j2.properties and most layouts write it, or a
     * leading level), or a warning a library prints by itself (SLF4J, log4j's status logger).
     */
    private static final Pattern LOG_LINE = Pattern.compile(
            "^[\\d:.,\\- T]{8,}\\s*\\[?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|SEVERE|FATAL)\\b"
                    + "|^\\[?(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|SEVERE|FATAL)\\b[\\]:]?\\s|^SLF4J|^log4j|StatusLogger");

    @TempDir
    static Path cwd;

    private static int exit;
    private static List<String> terminal;

    @BeforeAll
    static void runTheDemo() throws Exception {
        List<String> args = new ArrayList<>(List.of("demo", "--facilities", "60", "--days", "1"));
        if (!DemoPrometheus.installed()) {
            args.add("--no-prometheus");
        }
        Run run = risk(cwd, System.getProperty("java.class.path"), args);
        exit = run.exit();
        terminal = run.terminal();
    }

    private record Run(int exit, List<String> terminal) {}

    /** {@code bin/risk ARGS} as bin/risk runs it, from {@code dir}; stdout and stderr together, as a terminal shows them. */
    private static Run risk(Path dir, String classpath, List<String> args) throws Exception {
        Path root = repositoryRoot();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The flags Flink needs on JDK 17, as bin/risk passes them.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports"))
                .forEach(command::add);
        command.addAll(List.of("-Xmx1g",
                "-Dlog4j2.configurationFile=" + root.resolve("bin/log4j2.properties"),
                "-Drisk.home=" + root,
                "-cp", classpath,
                RiskCli.class.getName()));
        command.addAll(args);
        Path captured = Files.createTempFile("demo-terminal", ".txt");
        try {
            Process demo = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(captured.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!demo.waitFor(8, TimeUnit.MINUTES)) {
                demo.destroyForcibly();
                throw new AssertionError("bin/risk " + args + " did not end in 8 minutes:\n" + Files.readString(captured));
            }
            return new Run(demo.exitValue(), Files.readAllLines(captured, StandardCharsets.UTF_8));
        } finally {
            Files.delete(captured);
        }
    }

    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("bin/log4j2.properties"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no bin/log4j2.properties above " + Path.of("").toAbsolutePath());
    }

    private static String shown() {
        return String.join("\n", terminal);
    }

    @Test
    void theTerminalShowsOnlyTheDemosOwnLinesOnAScreenOrTwo() {
        assertThat(exit).as(shown()).isZero();
        assertThat(terminal).as(shown())
                .noneMatch(line -> STACK_TRACE.matcher(line).find())
                .noneMatch(line -> LOG_LINE.matcher(line).find())
                .hasSizeLessThanOrEqualTo(MAX_LINES);
        // Its own progress, one line a step, and the summary.
        for (String step : List.of("[1/5] starting a local Kafka broker", "[2/5] publishing", "[3/5] starting the job", "[4/5] reading the outputs",
                "[5/5] done in", "records out:", "lifecycle events:", "worst facilities")) {
            assertThat(terminal).as(shown()).anyMatch(line -> line.startsWith(step));
        }
    }

    @Test
    void theLogOfTheJobGoesToTheFileTheSummaryNames() throws Exception {
        String named = "demo-output/" + DemoLog.FILE_NAME;
        assertThat(terminal).as(shown()).anyMatch(line -> line.startsWith("Log of the job and its libraries: " + named));
        Path log = cwd.resolve(named);
        assertThat(log).isRegularFile();
        String text = Files.readString(log);
        // Flink's and Kafka's log, not the demo's output.
        assertThat(text).contains("MiniCluster").contains(" INFO ").doesNotContain("records out:");
    }

    @Test
    void everySuggestedCommandRunsAsPrinted() throws Exception {
        List<String> commands = terminal.stream().map(String::strip).filter(line -> line.startsWith("bin/risk audit") || line.startsWith("bin/risk explain")).toList();
        assertThat(commands).as(shown()).hasSizeGreaterThanOrEqualTo(5);
        assertThat(commands).as("one explain per first margin call and liquidation, with its event id")
                .filteredOn(c -> c.matches("bin/risk explain --warehouse \\S+ --verify [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\s+#.*"))
                .hasSize(2);
        assertThat(commands).as("a table named by namespace, as the spec names them").anyMatch(c -> c.contains("FROM risk_audit."));
        for (String line : commands) {
            List<String> args = shellWords(line);
            assertThat(args.remove(0)).isEqualTo("bin/risk");
            // bin/risk runs from the directory the demo ran in: its paths are relative to it.
            int warehouse = args.indexOf("--warehouse") + 1;
            args.set(warehouse, cwd.resolve(args.get(warehouse)).toString());
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = RiskCli.commandLine();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err));
            int code = cli.execute(args.toArray(String[]::new));
            assertThat(code).as(line + "\n" + out + err).isZero();
            assertThat(out.toString()).as(line).isNotBlank().doesNotContain("(0 rows)");
            if (line.contains("explain")) {
                assertThat(out.toString()).as(line).contains("no difference");
            }
        }
    }

    @Test
    void aFailureIsOneLineWithItsReasonAndTheLogsPath(@TempDir Path dir) throws Exception {
        // Without Kafka's broker on the classpath the demo stops at its first step.
        String withoutBroker = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("kafka_2.13"))
                .collect(Collectors.joining(File.pathSeparator));
        Run failed = risk(dir, withoutBroker, List.of("demo", "--no-prometheus", "--work-dir", "elsewhere"));
        String shown = String.join("\n", failed.terminal());
        assertThat(failed.exit()).as(shown).isEqualTo(1);
        assertThat(failed.terminal()).as(shown)
                .noneMatch(line -> STACK_TRACE.matcher(line).find())
                .noneMatch(line -> LOG_LINE.matcher(line).find())
                .last(InstanceOfAssertFactories.STRING)
                .startsWith("risk demo: org.apache.kafka:kafka_2.13 is not on the classpath")
                .endsWith("(the whole story is in elsewhere/demo.log)");
        assertThat(Files.readString(dir.resolve("elsewhere/demo.log"))).contains("The demo stopped").contains("IllegalStateException")
                .contains("\tat io.collateralrisk.jobs.kafka.LocalKafkaBroker");
    }

    /** The words a POSIX shell makes of a line: single and double quotes, backslash escapes in double quotes, # comments. */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '#' && word == null) {
                break;
            } else {
                if (word == null) {
                    word = new StringBuilder();
                }
                if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unbalanced quote in: " + line);
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}

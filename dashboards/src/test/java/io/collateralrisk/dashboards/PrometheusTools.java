package io.collateralrisk.dashboards;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus's command-line tools (promtool, amtool) and makes sure they are installed first,
 * through {@code bin/ensure-prometheus} (Debian's {@code prometheus} and
 * {@code prometheus-alertmanager} packages; once per JVM).
 */
public final class PrometheusTools {

    /** What a command printed (stdout and stderr together) and its exit code. */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        public String describe() {
            return String.join(" ", command) + " -> exit " + exitCode + "\n" + output;
        }
    }

    private static volatile boolean ensured;

    private PrometheusTools() {
    }

    /**
     * Installs promtool, amtool, prometheus and prometheus-alertmanager when one is missing;
     * throws with the script's explanation when that is impossible (not root, no apt-get, no
     * network).
     */
    public static synchronized void ensureInstalled(DashboardFiles files) {
        if (ensured) {
            return;
        }
        Result r = run(files.repositoryRoot(), 1200, "bash", files.ensurePrometheusScript().toString());
        System.out.print(r.output());
        if (!r.ok()) {
            throw new IllegalStateException("Prometheus tools are missing and could not be installed:\n" + r.describe());
        }
        ensured = true;
    }

    public static Result promtool(Path workDir, String... args) {
        return run(workDir, 300, prepend("promtool", args));
    }

    public static Result amtool(Path workDir, String... args) {
        return run(workDir, 300, prepend("amtool", args));
    }

    /** Runs a command in a directory, with a time limit, capturing its output. */
    public static Result run(Path workDir, long timeoutSeconds, String... command) {
        List<String> cmd = List.of(command);
        Path log = null;
        try {
            log = Files.createTempFile("risk-tool-", ".log");
            Process p = new ProcessBuilder(cmd)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            if (!finished) {
                return new Result(cmd, -1, text + "\n(killed after " + timeoutSeconds + " s)");
            }
            return new Result(cmd, p.exitValue(), text);
        } catch (IOException e) {
            return new Result(cmd, -1, "cannot run " + cmd + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + cmd, e);
        } finally {
            if (log != null) {
                try {
                    Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a temporary file
                }
            }
        }
    }

    private static String[] prepend(String first, String... rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

}

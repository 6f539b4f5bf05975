package io.collateralrisk.jobs.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.util.FileUtils;

/**
 * A private PostgreSQL server for a test: a new cluster in a temporary directory, listening on a
 * free loopback port with its own socket directory, with one database owned by one user who logs
 * in with a password over TCP (SCRAM; nothing else can log in over TCP). {@link #close()} stops
 * the server (killing it if it does not stop) and deletes the cluster; a JVM that ends without
 * closing stops it from a shutdown hook.
 *
 * <p>Uses the server binaries of the machine ({@code initdb}, {@code pg_ctl}, {@code pg_isready},
 * {@code psql}): the newest {@code /usr/lib/postgresql/N/bin} (Debian's layout), else the
 * {@code PATH}. PostgreSQL refuses to run as root, so under root every command runs as the
 * {@code postgres} user through {@code runuser}, and the cluster's directories are given to it.
 */
public final class LocalPostgres implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final String SERVER_USER = "postgres";

    private final Path binDir;
    private final boolean asServerUser;
    private final Path base;
    private final Path dataDir;
    private final Path socketDir;
    private final Path logDir;
    private final int port;
    private final String database;
    private final String user;
    private final Thread shutdownHook;
    private boolean closed;

    private LocalPostgres(Path binDir, boolean asServerUser, Path base, int port, String database, String user) {
        this.binDir = binDir;
        this.asServerUser = asServerUser;
        this.base = base;
        this.dataDir = base.resolve("data");
        this.socketDir = base.resolve("socket");
        this.logDir = base.resolve("log");
        this.port = port;
        this.database = database;
        this.user = user;
        this.shutdownHook = new Thread(this::close, "stop-local-postgres");
    }

    /**
     * Starts a server with database {@code database} owned by {@code user}, who logs in with
     * {@code password}.
     *
     * @throws IllegalStateException when the server binaries are missing or the server does not start
     */
    public static LocalPostgres start(String database, String user, String password) throws IOException, InterruptedException {
        requireIdentifier(database);
        requireIdentifier(user);
        Path binDir = findBinaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path base = Files.createTempDirectory("risk-postgres-");
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            LocalPostgres pg = new LocalPostgres(binDir, root, base, freePort(), database, user);
            try {
                pg.startServer(attempt == 1);
                pg.createDatabase(password);
                pg.awaitLogin(password);
                return pg;
            } catch (Exception e) {
                pg.stopQuietly();
                Runtime.getRuntime().removeShutdownHook(pg.shutdownHook);
                if (e instanceof InterruptedException interrupted) {
                    FileUtils.deleteDirectoryQuietly(base.toFile());
                    throw interrupted;
                }
                failure = new IllegalStateException("PostgreSQL did not start (attempt " + attempt + "): " + e.getMessage(), e);
                if (!pg.logMentionsPortInUse()) {
                    break; // only a port taken between choosing and binding it is worth another try
                }
            }
        }
        FileUtils.deleteDirectoryQuietly(base.toFile());
        throw failure;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    public String user() {
        return user;
    }

    /** The temporary directory of the cluster, deleted on {@link #close()}. */
    Path directory() {
        return base;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/DATABASE}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook does the same
        }
        FileUtils.deleteDirectoryQuietly(base.toFile());
    }

    // ------------------------------------------------------------------ start

    private void startServer(boolean firstAttempt) throws IOException, InterruptedException {
        if (firstAttempt) {
            // The server user must reach the directory; only it can read the cluster inside.
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createDirectories(dataDir);
            Files.createDirectories(socketDir);
            Files.createDirectories(logDir);
            Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(logDir, PosixFilePermissions.fromString("rwx------"));
            if (asServerUser) {
                UserPrincipal owner;
                try {
                    owner = base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVER_USER);
                } catch (UserPrincipalNotFoundException e) {
                    throw new IllegalStateException("running as root, the server must run as the '" + SERVER_USER
                            + "' user, and there is none (Debian's postgresql package creates it)", e);
                }
                Files.setOwner(dataDir, owner);
                Files.setOwner(socketDir, owner);
                Files.setOwner(logDir, owner);
            }
            run(List.of(bin("initdb"), "-D", dataDir.toString(), "--no-locale", "-E", "UTF8", "--no-sync",
                    "--auth-local=trust", "--auth-host=scram-sha-256"), null);
        }
        Files.deleteIfExists(logFile()); // a retry reads only its own server log
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        String options = "-p " + port + " -k " + socketDir + " -c listen_addresses=127.0.0.1"
                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        run(List.of(bin("pg_ctl"), "start", "-D", dataDir.toString(), "-l", logFile().toString(), "-w",
                "-t", String.valueOf(READY_TIMEOUT.toSeconds()), "-o", options), null);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            Result ready = exec(List.of(bin("pg_isready"), "-h", socketDir.toString(), "-p", String.valueOf(port), "-d", "postgres"), null);
            if (ready.exitCode() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready after " + READY_TIMEOUT.toSeconds() + " s: " + ready.output() + log());
            }
            Thread.sleep(200);
        }
    }

    private void createDatabase(String password) throws IOException, InterruptedException {
        // Fed on standard input, so the password is on no command line.
        String sql = "CREATE ROLE " + user + " LOGIN PASSWORD '" + password.replace("'", "''") + "';\n"
                + "CREATE DATABASE " + database + " OWNER " + user + ";\n";
        run(List.of(bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDir.toString(), "-p", String.valueOf(port),
                "-d", "postgres", "-f", "-"), sql);
    }

    /** Logs in as the user over TCP, as the catalog will: proves the password and the network path. */
    private void awaitLogin(String password) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try (Connection c = DriverManager.getConnection(jdbcUrl(), user, password)) {
                if (c.isValid(5)) {
                    return;
                }
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot log in as " + user + " at " + jdbcUrl() + ": " + e.getMessage() + log(), e);
                }
            }
            Thread.sleep(200);
        }
    }

    // ------------------------------------------------------------------ stop

    private synchronized void stopQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
            return;
        }
        try {
            Result stop = exec(List.of(bin("pg_ctl"), "stop", "-D", dataDir.toString(), "-m", "immediate", "-w", "-t", "30"), null);
            if (stop.exitCode() == 0) {
                return;
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the kill
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        postmasterPid().flatMap(ProcessHandle::of).ifPresent(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
    }

    private Optional<Long> postmasterPid() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ processes

    private record Result(int exitCode, String output) {}

    private void run(List<String> command, String stdin) throws IOException, InterruptedException {
        Result r = exec(command, stdin);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(Path.of(command.get(0)).getFileName() + " exited with " + r.exitCode() + ": "
                    + r.output().strip() + log());
        }
    }

    private Result exec(List<String> command, String stdin) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asServerUser) {
            full.addAll(List.of("runuser", "-u", SERVER_USER, "--"));
        }
        full.addAll(command);
        Path out = Files.createTempFile("risk-postgres-cmd-", ".log");
        try {
            // Output to a file, not a pipe: pg_ctl leaves a server behind that must hold no pipe of ours.
            ProcessBuilder pb = new ProcessBuilder(full).directory(base.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = pb.start();
            if (stdin != null) {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " took longer than " + COMMAND_TIMEOUT.toSeconds() + " s" + log());
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private String bin(String name) {
        return binDir.resolve(name).toString();
    }

    private Path logFile() {
        return logDir.resolve("server.log");
    }

    private String log() {
        try {
            String text = Files.exists(logFile()) ? Files.readString(logFile(), StandardCharsets.UTF_8).strip() : "";
            return text.isEmpty() ? "" : "\n--- server log ---\n" + text;
        } catch (IOException e) {
            return "";
        }
    }

    private boolean logMentionsPortInUse() {
        return log().contains("Address already in use");
    }

    // ------------------------------------------------------------------ helpers

    private static final List<String> REQUIRED = List.of("initdb", "pg_ctl", "pg_isready", "psql");

    private static Path findBinaries() {
        List<Path> candidates = new ArrayList<>();
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                        .sorted(Comparator.comparingInt((Path v) -> Integer.parseInt(v.getFileName().toString())).reversed())
                        .forEach(v -> candidates.add(v.resolve("bin")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            Arrays.stream(path.split(":")).filter(s -> !s.isEmpty()).map(Path::of).forEach(candidates::add);
        }
        return findBinaries(candidates);
    }

    /** The first directory holding every server binary this class runs. */
    static Path findBinaries(List<Path> candidates) {
        return candidates.stream()
                .filter(dir -> REQUIRED.stream().allMatch(tool -> Files.isExecutable(dir.resolve(tool))))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("PostgreSQL server binaries (" + String.join(", ", REQUIRED)
                        + ") not found in /usr/lib/postgresql/<version>/bin or on the PATH. Install the server"
                        + " (Debian: apt-get install postgresql); bin/risk test installs it when it is missing."));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void requireIdentifier(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain SQL identifier: " + name);
        }
    }

}

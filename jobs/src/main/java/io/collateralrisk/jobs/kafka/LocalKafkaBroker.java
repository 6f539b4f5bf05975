package io.collateralrisk.jobs.kafka;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.apache.flink.util.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in a child JVM, for
 * {@code bin/risk demo} and tests.
 *
 * <p>A child process keeps the broker's heap and threads out of the Flink JVM and can be killed
 * as a whole. Its classpath is this JVM's {@code java.class.path}, so {@code kafka_2.13} (a
 * {@code provided} dependency) must be on it, as it is for {@code bin/risk}. Ports are picked
 * per instance so a test, the demo and a local stack never collide; all data lives in a temp
 * directory that {@link #close()} deletes.
 */
public final class LocalKafkaBroker implements AutoCloseable {

    /** How long {@link #start()} waits for the broker to answer an admin request. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(10);
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOG_TAIL_LINES = 40;
    /** A free port can be taken by someone else between probing and binding: retry then. */
    private static final int BIND_ATTEMPTS = 3;

    private final Path dir;
    private final Process process;
    private final int brokerPort;
    private final int controllerPort;
    private final Thread shutdownHook;
    private boolean closed;

    private LocalKafkaBroker(Path dir, Process process, int brokerPort, int controllerPort) {
        this.dir = dir;
        this.process = process;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        // Kill the broker even when the caller never reaches close(); a forced kill is fine as
        // every byte it holds is in the temp directory that is deleted right after.
        this.shutdownHook = new Thread(() -> stop(Duration.ZERO), "local-kafka-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a broker and waits up to {@link #DEFAULT_START_TIMEOUT} until it serves requests. */
    public static LocalKafkaBroker start() throws IOException {
        return start(DEFAULT_START_TIMEOUT);
    }

    /** Starts a broker and waits up to {@code timeout} until it serves requests. */
    public static LocalKafkaBroker start(Duration timeout) throws IOException {
        if (LocalKafkaBroker.class.getClassLoader().getResource("kafka/Kafka.class") == null) {
            throw new IllegalStateException(
                    "org.apache.kafka:kafka_2.13 is not on the classpath; the local broker needs it");
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(timeout);
            } catch (PortTakenException e) {
                if (attempt >= BIND_ATTEMPTS) {
                    throw new IOException(e.getMessage(), e);
                }
            }
        }
    }

    private static LocalKafkaBroker startOnce(Duration timeout) throws IOException {
        Path dir = Files.createTempDirectory("risk-kafka-");
        Process process = null;
        try {
            int[] ports = freePorts(2);
            int brokerPort = ports[0];
            int controllerPort = ports[1];
            Path config = writeServerProperties(dir, brokerPort, controllerPort);
            Path log4j = writeLog4jConfig(dir);
            // Generated here rather than by `StorageTool random-uuid`, which also prints log
            // lines to stdout.
            String clusterId = Uuid.randomUuid().toString();

            List<String> command = new ArrayList<>();
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(List.of(
                    "-cp", childClasspath(),
                    "-Xms128m", "-Xmx512m", "-XX:+ExitOnOutOfMemoryError",
                    "-Djava.awt.headless=true",
                    // The classpath may carry another log4j2 config (Flink's): this one wins.
                    "-Dlog4j2.configurationFile=" + log4j.toUri(),
                    ChildMain.class.getName(), clusterId, config.toString()));
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("broker.out").toFile())
                    .start();
            // stdin stays open: ChildMain exits when it reads end-of-file there.
            LocalKafkaBroker broker = new LocalKafkaBroker(dir, process, brokerPort, controllerPort);
            try {
                broker.awaitReady(timeout);
            } catch (IOException | RuntimeException e) {
                // Nothing worth a graceful shutdown yet.
                broker.kill();
                throw e;
            }
            return broker;
        } catch (IOException | RuntimeException e) {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
            FileUtils.deleteDirectoryQuietly(dir.toFile());
            throw e;
        }
    }

    /** {@code host:port} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The controller listener's port (not for clients; exposed so tests can check it is freed). */
    public int controllerPort() {
        return controllerPort;
    }

    /** The broker process id. */
    public long pid() {
        return process.pid();
    }

    /** The temp directory holding config, data and logs; deleted by {@link #close()}. */
    public Path directory() {
        return dir;
    }

    /** The broker's log4j log file. */
    public Path logFile() {
        return dir.resolve("broker.log");
    }

    /**
     * Creates topics with replication factor 1 and waits until the broker serves them. Topics
     * that already exist are left as they are (whatever their partition count), so repeating a
     * call is harmless.
     *
     * @param partitions topic name to partition count: the topics to create
     * @param configs topic name to topic configs (for example {@code cleanup.policy=compact});
     *     topics missing here get the broker defaults
     */
    public void createTopics(Map<String, Integer> partitions, Map<String, Map<String, String>> configs) {
        for (String topic : configs.keySet()) {
            if (!partitions.containsKey(topic)) {
                throw new IllegalArgumentException(
                        "Configs given for topic '" + topic + "' that has no partition count");
            }
        }
        if (partitions.isEmpty()) {
            return;
        }
        List<NewTopic> topics = new ArrayList<>();
        partitions.forEach((name, count) -> topics.add(
                new NewTopic(name, count, (short) 1).configs(configs.getOrDefault(name, Map.of()))));
        try (Admin admin = admin()) {
            var results = admin.createTopics(topics, new CreateTopicsOptions().timeoutMs(30_000)).values();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "Could not create topic '" + entry.getKey() + "': " + e.getCause(), e.getCause());
                    }
                }
            }
            awaitTopics(admin, partitions.keySet());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topics " + partitions.keySet(), e);
        }
    }

    /** Stops the broker (and anything it started), waits for it to exit, and deletes its files. */
    @Override
    public void close() {
        removeShutdownHook();
        stop(GRACEFUL_STOP);
    }

    private void kill() {
        removeShutdownHook();
        stop(Duration.ZERO);
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to: it stops the broker itself.
        }
    }

    private synchronized void stop(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> descendants = process.descendants().toList();
        if (grace.isZero()) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        descendants.forEach(ProcessHandle::destroy);
        try {
            if (grace.isZero() || !process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            for (ProcessHandle child : descendants) {
                child.destroyForcibly();
                child.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // A descendant that will not die is not worth failing close() for.
        }
        FileUtils.deleteDirectoryQuietly(dir.toFile());
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            // A plain connect first: an admin client polling a closed port logs a warning on
            // every retry, which would flood the demo's console for the seconds Kafka takes.
            while (!accepts(brokerPort)) {
                checkAlive();
                checkDeadline(deadline, timeout);
                Thread.sleep(100);
            }
            try (Admin admin = admin()) {
                while (true) {
                    checkAlive();
                    try {
                        var nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                                .nodes().get(10, TimeUnit.SECONDS);
                        if (!nodes.isEmpty()) {
                            return;
                        }
                    } catch (ExecutionException | TimeoutException notYet) {
                        // Bound but not serving yet: poll again.
                    }
                    checkDeadline(deadline, timeout);
                    Thread.sleep(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for the Kafka broker");
        }
    }

    private void checkAlive() throws IOException {
        if (process.isAlive()) {
            return;
        }
        String tail = logTail();
        if (tail.contains("Address already in use")) {
            throw new PortTakenException(
                    "Kafka broker could not bind port " + brokerPort + " or " + controllerPort);
        }
        throw new IOException("Kafka broker exited with code " + process.exitValue()
                + " before it was ready; broker log tail:\n" + tail);
    }

    private void checkDeadline(long deadline, Duration timeout) throws IOException {
        if (System.nanoTime() > deadline) {
            throw new IOException("Kafka broker at " + bootstrapServers() + " was not ready within "
                    + timeout.toSeconds() + " s; broker log tail:\n" + logTail());
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Waits until every topic has a leader for every partition, so clients never see it missing. */
    private void awaitTopics(Admin admin, Set<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> descriptions = admin
                        .describeTopics(names, new DescribeTopicsOptions().timeoutMs(2_000))
                        .allTopicNames().get(5, TimeUnit.SECONDS);
                boolean allLed = descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (allLed) {
                    return;
                }
            } catch (ExecutionException | TimeoutException notYet) {
                // Metadata not propagated yet: poll again.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Topics " + names + " have no leader after "
                        + TOPIC_READY_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    private Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "local-kafka-broker-admin");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        // Reconnect quickly while the broker is still starting.
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        return Admin.create(props);
    }

    private String logTail() {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("broker.log", "broker.out")) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                String tail = tail(file, LOG_TAIL_LINES);
                if (!tail.isBlank()) {
                    sb.append("--- ").append(name).append(" (last lines) ---\n").append(tail);
                }
            }
        }
        return sb.length() == 0 ? "(no broker output)" : sb.toString();
    }

    private static Path writeServerProperties(Path dir, int brokerPort, int controllerPort) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        String controller = "127.0.0.1:" + controllerPort;
        String text = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                // Kafka 4 refuses a KRaft node with neither this nor controller.quorum.voters.
                "controller.quorum.bootstrap.servers=" + controller,
                "log.dirs=" + data,
                // One node: every replication factor and ISR minimum must be 1 or nothing works
                // (internal topics would never get created, transactions would never commit).
                "default.replication.factor=1",
                "min.insync.replicas=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "num.partitions=1",
                // Consumers of a fresh group start at once instead of after 3 s.
                "group.initial.rebalance.delay.ms=0",
                // Topics are created explicitly with their partitions and configs.
                "auto.create.topics.enable=false",
                // Replayed history carries old timestamps: time-based retention would delete it at once.
                "log.retention.ms=-1",
                "num.network.threads=2",
                "num.io.threads=4",
                "num.recovery.threads.per.data.dir=1",
                "")
                .replace("\\", "\\\\");
        Path file = dir.resolve("server.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static Path writeLog4jConfig(Path dir) throws IOException {
        String logFile = dir.resolve("broker.log").toString().replace("\\", "/");
        String text = String.join("\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + logFile,
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c{1}: %m%n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.file.ref = file",
                "");
        Path file = dir.resolve("log4j2.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * This JVM's classpath with manifest-only jars expanded: surefire and some launchers put a
     * single jar whose manifest lists the real classpath, and that jar may be deleted while the
     * broker still runs.
     */
    static String childClasspath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            entries.add(entry);
            if (entry.endsWith(".jar")) {
                entries.addAll(manifestClassPath(Paths.get(entry)));
            }
        }
        // The child's main class is ChildMain: make sure its jar or directory is there even
        // when this class came from a class loader of its own.
        try {
            var source = LocalKafkaBroker.class.getProtectionDomain().getCodeSource();
            if (source != null && "file".equals(source.getLocation().getProtocol())) {
                entries.add(Paths.get(source.getLocation().toURI()).toString());
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            // Fall back to java.class.path alone.
        }
        return String.join(File.pathSeparator, entries);
    }

    private static List<String> manifestClassPath(Path jar) {
        List<String> result = new ArrayList<>();
        if (!Files.isRegularFile(jar)) {
            return result;
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String value = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (value == null) {
                return result;
            }
            URI base = jar.toAbsolutePath().getParent().toUri();
            for (String item : value.trim().split("\\s+")) {
                if (item.isEmpty()) {
                    continue;
                }
                try {
                    Path path = Paths.get(base.resolve(item));
                    if (Files.exists(path)) {
                        result.add(path.toString());
                    }
                } catch (IllegalArgumentException notAFile) {
                    // Not a file: URL; the JVM would not load it either.
                }
            }
        } catch (IOException unreadable) {
            // Not a jar we can read: keep it as it is.
        }
        return result;
    }

    private static int[] freePorts(int count) throws IOException {
        // All sockets open at once, so the ports differ from each other.
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    private static String tail(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return "";
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            int size = (int) Math.min(length, 64 * 1024);
            byte[] bytes = new byte[size];
            raf.seek(length - size);
            raf.readFully(bytes);
            String[] all = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
            int from = Math.max(0, all.length - lines - 1);
            StringBuilder sb = new StringBuilder();
            for (int i = from; i < all.length; i++) {
                if (!all[i].isEmpty()) {
                    sb.append(all[i]).append('\n');
                }
            }
            return sb.toString();
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")\n";
        }
    }

    /** The broker lost a port race with another process; a new pair of ports is worth a try. */
    private static final class PortTakenException extends IOException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }

    /**
     * Main class of the child JVM: formats the storage directory, runs {@code kafka.Kafka}, and
     * exits when its parent dies.
     *
     * <p>Formatting here instead of in a JVM of its own ({@code kafka.tools.StorageTool format})
     * saves a JVM start and a Kafka config parse, over a second on a small machine. The parent
     * holds the child's stdin open, so end-of-file there means the parent is gone even if it was
     * killed without running its shutdown hooks; without the watchdog the broker would be left
     * running, holding its ports.
     */
    public static final class ChildMain {
        private ChildMain() {
        }

        /** Arguments: cluster id, path of server.properties. */
        public static void main(String[] args) {
            Thread watchdog = new Thread(() -> {
                try (InputStream in = System.in) {
                    byte[] buffer = new byte[256];
                    while (in.read(buffer) >= 0) {
                        // Nothing is ever sent; only end-of-file matters.
                    }
                } catch (IOException e) {
                    // A broken pipe also means the parent is gone.
                }
                // Runs Kafka's own shutdown hook, which stops the server cleanly.
                System.exit(0);
            }, "parent-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();

            String clusterId = args[0];
            String config = args[1];
            // A combined node with controller.quorum.bootstrap.servers (a dynamic quorum) must be
            // formatted with --standalone: it becomes the single initial voter.
            int formatted = kafka.tools.StorageTool.execute(
                    new String[] {"format", "-t", clusterId, "-c", config, "--standalone"}, System.out);
            if (formatted != 0) {
                System.err.println("kafka-storage format failed with exit code " + formatted);
                System.exit(formatted);
            }
            kafka.Kafka.main(new String[] {config});
        }
    }
}

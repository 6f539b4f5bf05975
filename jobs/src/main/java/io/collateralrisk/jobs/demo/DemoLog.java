package io.collateralrisk.jobs.demo;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The demo's log: the job's and the libraries' log4j2 output goes to {@value #FILE_NAME} in the
 * demo's directory ({@code demo-log4j2.properties}), so the terminal shows only what the demo prints.
 */
public final class DemoLog {

    public static final String FILE_NAME = "demo.log";
    /** Read by {@code demo-log4j2.properties} as the file appender's file name. */
    static final String FILE_PROPERTY = "risk.demo.log";

    private DemoLog() {}

    /** Replaces the JVM's log4j2 configuration with the demo's, writing to {@code workDir/demo.log}; returns that file. */
    public static Path redirect(Path workDir) throws IOException {
        Path file = workDir.toAbsolutePath().resolve(FILE_NAME);
        Files.createDirectories(file.getParent());
        System.setProperty(FILE_PROPERTY, file.toString());
        URL config = DemoLog.class.getResource("demo-log4j2.properties");
        if (config == null) {
            throw new IllegalStateException("demo-log4j2.properties is missing from the classpath");
        }
        try {
            Configurator.reconfigure(config.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }
}

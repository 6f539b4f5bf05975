package io.collateralrisk.jobs.cli;

import picocli.CommandLine;

/** The product's version, from the jar manifest (or "dev" when run from classes). */
public final class CodeVersion {

    private CodeVersion() {}

    public static String get() {
        String version = CodeVersion.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /** For {@code risk --version}. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"risk " + get()};
        }
    }
}

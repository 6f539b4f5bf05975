package io.collateralrisk.jobs.cli;

import io.collateralrisk.jobs.kafka.TopicCreator;
import io.collateralrisk.jobs.kafka.TopicLayout;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/risk topics}: the job's Kafka topics. */
@Command(name = "topics", mixinStandardHelpOptions = true, subcommands = TopicsCommand.Create.class,
        description = "The Kafka topics the job reads and writes.")
public final class TopicsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: create");
    }

    /** {@code bin/risk topics create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {
                "Creates the job's topics with their partitions, retention and (risk.ltv) compaction, or brings",
                "existing ones to those settings. Idempotent: run it before every deployment. Never deletes",
                "anything; a topic with more partitions than the layout keeps them."
            })
    static final class Create implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
        String bootstrapServers;

        @Option(names = "--replication-factor", defaultValue = "3", paramLabel = "N",
                description = "Replicas of each new topic (default: ${DEFAULT-VALUE}; 1 for a single local broker). Above 1, min.insync.replicas is 2.")
        short replicationFactor;

        @Override
        public Integer call() throws Exception {
            if (replicationFactor < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--replication-factor must be at least 1");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Admin admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000))) {
                out.printf("%-24s %10s  %s%n", "topic", "partitions", "action");
                for (TopicCreator.Outcome o : new TopicCreator(admin, replicationFactor).ensure(TopicLayout.ALL)) {
                    out.printf("%-24s %10d  %s%s%n", o.topic(), o.partitions(), o.action(),
                            o.changedSettings().isEmpty() ? "" : " (" + String.join(", ", o.changedSettings()) + ")");
                }
            }
            out.flush();
            return 0;
        }
    }
}

package io.collateralrisk.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.collateralrisk.jobs.cli.RiskCli;
import io.collateralrisk.model.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bin/risk topics create} against a real KRaft broker: the layout, then idempotence. */
class TopicsCreateTest {

    private static KafkaClusterTestKit cluster;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    static void stop() throws Exception {
        admin.close();
        cluster.close();
    }

    private static String create() {
        StringWriter out = new StringWriter();
        var cli = RiskCli.commandLine();
        cli.setOut(new PrintWriter(out));
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute("topics", "create", "--bootstrap-servers", cluster.bootstrapServers(), "--replication-factor", "1");
        assertThat(exit).as(err.toString()).isZero();
        return out.toString();
    }

    /** A topic's setting as the broker reports it, once it has the expected value (a change takes a moment to apply). */
    private static String setting(String topic, String key, String expected) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
            String value = c.get(key).value();
            if (expected.equals(value) || System.nanoTime() > deadline) {
                return value;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void createsTheLayoutThenChangesNothingThenRepairsDrift() throws Exception {
        // A topic someone created by hand, too small and without compaction.
        admin.createTopics(List.of(new NewTopic(Topics.LTV, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);

        String first = create();
        assertThat(first).containsPattern("prices\\s+3  created");
        assertThat(first).containsPattern("risk\\.ltv\\s+12  partitions increased, settings updated \\(.*cleanup.policy=compact");
        var topics = admin.describeTopics(TopicLayout.partitions().keySet()).allTopicNames().get(30, TimeUnit.SECONDS);
        TopicLayout.ALL.forEach(spec -> assertThat(topics.get(spec.name()).partitions()).as(spec.name()).hasSize(spec.partitions()));
        assertThat(setting(Topics.LTV, "cleanup.policy", "compact")).isEqualTo("compact");
        assertThat(setting(Topics.MARGIN_CALLS, "retention.ms", "2592000000")).isEqualTo(Long.toString(30L * 86_400_000));

        String second = create();
        assertThat(second.lines().skip(1)).hasSize(TopicLayout.ALL.size()).allSatisfy(line -> assertThat(line).endsWith("unchanged"));

        // Someone shortens retention by hand: the next run puts it back, and only that.
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, Topics.MARGIN_CALLS);
        admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "60000"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        assertThat(setting(Topics.MARGIN_CALLS, "retention.ms", "60000")).isEqualTo("60000");
        String third = create();
        assertThat(third).containsPattern("risk\\.margin-calls\\s+12  settings updated \\(retention.ms=2592000000\\)");
        assertThat(third.lines().filter(l -> l.endsWith("unchanged"))).hasSize(TopicLayout.ALL.size() - 1);
        assertThat(setting(Topics.MARGIN_CALLS, "retention.ms", "2592000000")).isEqualTo("2592000000");

        // The input topics take the broker's clock, the reference clock of the clock guards.
        for (String input : Topics.INPUTS) {
            assertThat(setting(input, "message.timestamp.type", "LogAppendTime")).as(input).isEqualTo("LogAppendTime");
        }
        // Output topics keep the job's own timestamps: each record's event time.
        assertThat(setting(Topics.MARGIN_CALLS, "message.timestamp.type", "CreateTime")).isEqualTo("CreateTime");

        // Someone lets producers stamp prices again: the next run sets the broker's clock back, and only that.
        ConfigResource prices = new ConfigResource(ConfigResource.Type.TOPIC, Topics.PRICES);
        admin.incrementalAlterConfigs(Map.of(prices, List.of(new AlterConfigOp(new ConfigEntry("message.timestamp.type", "CreateTime"), AlterConfigOp.OpType.SET))))
                .all().get(30, TimeUnit.SECONDS);
        assertThat(setting(Topics.PRICES, "message.timestamp.type", "CreateTime")).isEqualTo("CreateTime");
        String repaired = create();
        assertThat(repaired).containsPattern("prices\\s+3  settings updated \\(message.timestamp.type=LogAppendTime\\)");
        assertThat(setting(Topics.PRICES, "message.timestamp.type", "LogAppendTime")).isEqualTo("LogAppendTime");
    }
}

package io.collateralrisk.jobs.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Brings a cluster's topics to {@link TopicLayout}, idempotently: creates the missing ones, sets
 * settings that differ, adds partitions to a topic that has fewer. Never removes partitions (Kafka
 * cannot) or deletes anything; a topic with more partitions than the layout is left as it is.
 */
public final class TopicCreator {

    /** What was done to one topic. */
    public record Outcome(String topic, String action, int partitions, List<String> changedSettings) {}

    private final Admin admin;
    private final short replicationFactor;

    public TopicCreator(Admin admin, short replicationFactor) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
    }

    public List<Outcome> ensure(Collection<TopicLayout.TopicSpec> layout) throws Exception {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        List<Outcome> outcomes = new ArrayList<>();
        for (TopicLayout.TopicSpec spec : layout) {
            if (!existing.contains(spec.name())) {
                Map<String, String> configs = new HashMap<>(spec.configs());
                if (replicationFactor > 1) {
                    // An acknowledged write survives the loss of one broker.
                    configs.put("min.insync.replicas", "2");
                }
                try {
                    admin.createTopics(List.of(new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(configs)))
                            .all().get(60, TimeUnit.SECONDS);
                    describe(spec.name());
                    outcomes.add(new Outcome(spec.name(), "created", spec.partitions(), List.of()));
                    continue;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + spec.name() + ": " + e.getCause().getMessage(), e.getCause());
                    }
                    // Created by someone else meanwhile: bring it to the layout below.
                }
            }
            outcomes.add(update(spec));
        }
        return outcomes;
    }

    /** A topic just created is known to the controller before every broker serves it: wait for that. */
    private TopicDescription describe(String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private Outcome update(TopicLayout.TopicSpec spec) throws Exception {
        TopicDescription description = describe(spec.name());
        int partitions = description.partitions().size();
        String action = "unchanged";
        if (partitions < spec.partitions()) {
            admin.createPartitions(Map.of(spec.name(), NewPartitions.increaseTo(spec.partitions()))).all().get(60, TimeUnit.SECONDS);
            partitions = spec.partitions();
            action = "partitions increased";
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
        Config current = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        List<AlterConfigOp> ops = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, String> want : spec.configs().entrySet()) {
            ConfigEntry have = current.get(want.getKey());
            if (have == null || !want.getValue().equals(have.value())) {
                ops.add(new AlterConfigOp(new ConfigEntry(want.getKey(), want.getValue()), AlterConfigOp.OpType.SET));
                changed.add(want.getKey() + "=" + want.getValue());
            }
        }
        if (!ops.isEmpty()) {
            admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(30, TimeUnit.SECONDS);
            action = action.equals("unchanged") ? "settings updated" : action + ", settings updated";
        }
        return new Outcome(spec.name(), action, partitions, changed);
    }
}

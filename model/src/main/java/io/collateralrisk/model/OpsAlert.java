package io.collateralrisk.model;

/**
 * A pipeline alert on {@code risk.ops-alerts}, keyed by the input topic it concerns: the input
 * whose clock stalled or resumed, or whose state a restore found without configuration
 * ({@code facility-events} for the LTV stage's facilities, {@code prices} for the price
 * evaluation, which also reports a changed configuration).
 *
 * <ul>
 *   <li>{@code WATERMARK_STALLED}: the input's clock has not advanced for {@code live.watermarkLagAlert}
 *       of wall time while its records keep arriving; {@code clock} is where it stands (null when
 *       it never started), {@code clockMovedAt} the wall time it last moved.
 *   <li>{@code WATERMARK_RESUMED}: it moved again; {@code clock} is the new value, {@code stalledClock}
 *       where it had stopped.
 *   <li>{@code CONFIG_CHANGED}: a restore found {@code previousConfigHash} in the operator's state.
 *   <li>{@code STATE_WITHOUT_CONFIG}: restored state of {@code operator} names the {@code missingKind}
 *       ({@code PAIR} or {@code POLICY}) {@code missing}, which the configuration no longer has;
 *       {@code facilities} of the LTV stage are held (0 for other operators).
 * </ul>
 *
 * Fields a type does not use are null.
 *
 * @param eventTime the clock the alert is about: the stalled or resumed clock, or the latest event
 *     time in the restored state; the wall time of detection when an input's clock never started
 */
public record OpsAlert(
        String type,
        String eventId,
        long eventTime,
        String topic,
        String operator,
        Long clock,
        Long stalledClock,
        Long clockMovedAt,
        Long detectedAt,
        Long thresholdMs,
        String missingKind,
        String missing,
        Long facilities,
        String previousConfigHash,
        String configHash) {

    public static final String WATERMARK_STALLED = "WATERMARK_STALLED";
    public static final String WATERMARK_RESUMED = "WATERMARK_RESUMED";
    public static final String CONFIG_CHANGED = "CONFIG_CHANGED";
    public static final String STATE_WITHOUT_CONFIG = "STATE_WITHOUT_CONFIG";

    public static final String PAIR = "PAIR";
    public static final String POLICY = "POLICY";

    /**
     * @param clock the stalled clock, null when it never started (the alert then takes the wall
     *     time of detection as its event time)
     */
    public static OpsAlert stalled(String topic, Long clock, long clockMovedAt, long detectedAt, long thresholdMs, String configHash) {
        long t = clock != null ? clock : detectedAt;
        String id = EventIds.of(WATERMARK_STALLED, topic, t, clock != null ? "" : "NO_CLOCK");
        return new OpsAlert(WATERMARK_STALLED, id, t, topic, null, clock, null, clockMovedAt, detectedAt, thresholdMs,
                null, null, null, null, configHash);
    }

    public static OpsAlert resumed(String topic, long clock, Long stalledClock, long clockMovedAt, long detectedAt, String configHash) {
        String id = EventIds.of(WATERMARK_RESUMED, topic, clock, stalledClock == null ? "-" : Long.toString(stalledClock));
        return new OpsAlert(WATERMARK_RESUMED, id, clock, topic, null, clock, stalledClock, clockMovedAt, detectedAt, null,
                null, null, null, null, configHash);
    }

    public static OpsAlert configChanged(String topic, String operator, long t, String previousConfigHash, String configHash) {
        String id = EventIds.of(CONFIG_CHANGED, topic, t, operator + '|' + previousConfigHash + '|' + configHash);
        return new OpsAlert(CONFIG_CHANGED, id, t, topic, operator, null, null, null, null, null,
                null, null, null, previousConfigHash, configHash);
    }

    public static OpsAlert stateWithoutConfig(
            String topic, String operator, long t, String missingKind, String missing, long facilities, String configHash) {
        String id = EventIds.of(STATE_WITHOUT_CONFIG, topic, t, operator + '|' + missingKind + '|' + missing + '|' + configHash);
        return new OpsAlert(STATE_WITHOUT_CONFIG, id, t, topic, operator, null, null, null, null, null,
                missingKind, missing, facilities, null, configHash);
    }
}

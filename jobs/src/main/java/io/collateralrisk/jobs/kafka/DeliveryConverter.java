package io.collateralrisk.jobs.kafka;

import java.util.Locale;
import org.apache.flink.connector.base.DeliveryGuarantee;
import picocli.CommandLine;

/**
 * {@code --delivery}: {@code exactly-once} or {@code at-least-once} (also written
 * {@code EXACTLY_ONCE}, {@code AT_LEAST_ONCE}). Flink's third guarantee, {@code NONE}, is refused:
 * alerts that move money are never fire-and-forget.
 */
public final class DeliveryConverter implements CommandLine.ITypeConverter<DeliveryGuarantee> {

    @Override
    public DeliveryGuarantee convert(String value) {
        return parse(value);
    }

    public static DeliveryGuarantee parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return switch (v) {
            case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
            default -> throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a delivery: exactly-once or at-least-once");
        };
    }

    /** The name as the command line writes it. */
    public static String name(DeliveryGuarantee delivery) {
        return delivery.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

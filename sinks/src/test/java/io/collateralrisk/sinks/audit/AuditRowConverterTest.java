package io.collateralrisk.sinks.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

class AuditRowConverterTest {

    private static final AuditTables.Definition PRICES = AuditTables.byName(AuditTables.REFERENCE_PRICES);
    private static final AuditTables.Definition TICKS = AuditTables.byName(AuditTables.PRICE_TICKS);

    private static int pos(AuditTables.Definition d, String column) {
        return d.schema().columns().indexOf(d.schema().findField(column));
    }

    @Test
    void columnsComeFromTheCamelCaseFieldsAndRecordIsTheJsonItself() {
        String json = "{\"type\":\"REFERENCE_PRICE\",\"eventId\":\"e-1\",\"eventTime\":\"2023-03-10T11:24:00.000Z\",\"pair\":\"BTC-USD\","
                + "\"evaluationId\":\"ev-1\",\"status\":\"OK\",\"price\":\"19594.56\",\"median\":\"19594.56\",\"twap\":null,\"primary\":null,"
                + "\"incidentOpen\":false,\"used\":[{\"source\":\"kraken\",\"kind\":\"EXCHANGE\",\"price\":\"19590.10\",\"eventTime\":\"2023-03-10T11:24:00.000Z\"}],"
                + "\"excluded\":[{\"source\":\"coinbase\",\"reason\":\"STALE\"}],\"configHash\":\"abc\"}";
        RowData row = new AuditRowConverter(PRICES.schema()).convert(json);
        assertThat(row.getString(pos(PRICES, "evaluation_id")).toString()).isEqualTo("ev-1");
        assertThat(row.getDecimal(pos(PRICES, "price"), 38, 18).toBigDecimal()).isEqualByComparingTo("19594.56");
        assertThat(row.isNullAt(pos(PRICES, "twap"))).isTrue();
        assertThat(row.getTimestamp(pos(PRICES, "event_time"), 6).getMillisecond()).isEqualTo(1678447440000L);
        ArrayData used = row.getArray(pos(PRICES, "used"));
        assertThat(used.size()).isEqualTo(1);
        assertThat(used.getRow(0, 4).getString(0).toString()).isEqualTo("kraken");
        assertThat(row.getArray(pos(PRICES, "excluded")).getRow(0, 2).getString(1).toString()).isEqualTo("STALE");
        assertThat(row.getString(pos(PRICES, "record")).toString()).isEqualTo(json);
    }

    @Test
    void aValueWithMoreDigitsThanItsColumnIsNeverRounded() {
        String json = "{\"eventId\":\"t-1\",\"eventTime\":\"2023-03-10T00:00:00Z\",\"pair\":\"BTC-USD\",\"source\":\"binanceus\",\"kind\":\"EXCHANGE\","
                + "\"price\":\"20000.01\",\"volume\":\"0.0028379100000000003\",\"record\":\"{raw}\"}";
        RowData row = new AuditRowConverter(TICKS.schema()).convert(json);
        assertThat(row.isNullAt(pos(TICKS, "volume"))).isTrue();
        assertThat(row.getDecimal(pos(TICKS, "price"), 38, 18).toBigDecimal()).isEqualTo(new BigDecimal("20000.010000000000000000"));
        // An input's record is what was received.
        assertThat(row.getString(pos(TICKS, "record")).toString()).isEqualTo("{raw}");
    }

    @Test
    void aMissingRequiredFieldIsNamed() {
        assertThatThrownBy(() -> new AuditRowConverter(TICKS.schema()).convert("{\"eventId\":\"t-1\",\"eventTime\":\"2023-03-10T00:00:00Z\"}"))
                .hasMessageContaining("pair");
    }

    @Test
    void aNamedObjectIsStoredByItsNameAndKeptWholeInTheRecord() {
        AuditTables.Definition events = AuditTables.byName(AuditTables.MARGIN_CALL_EVENTS);
        String json = "{\"type\":\"LTV_WARNING\",\"eventId\":\"e-2\",\"eventTime\":\"2023-03-10T00:00:00Z\",\"facilityId\":\"F-1\","
                + "\"policy\":{\"name\":\"tri-party\",\"warning\":\"0.60\"}}";
        RowData row = new AuditRowConverter(events.schema()).convert(json);
        assertThat(row.getString(pos(events, "policy")).toString()).isEqualTo("tri-party");
        assertThat(row.getString(pos(events, "record")).toString()).contains("\"warning\":\"0.60\"");
    }

    private static final AuditTables.Definition SOLVENCY = AuditTables.byName(AuditTables.SOLVENCY_EVENTS);

    @Test
    void aPortfolioEventFillsItsTypedColumnsExactly() {
        String json = "{\"type\":\"PORTFOLIO_AT_RISK\",\"eventId\":\"s-1\",\"eventTime\":\"2024-05-01T00:00:00.000Z\",\"wallet\":\"W1\","
                + "\"portfolio\":3,\"state\":\"AT_RISK\",\"previousState\":\"SOLVENT\",\"utilization\":\"0.912345678901234567\","
                + "\"utilizationInfinite\":false,\"crossUtilization\":\"0.5\",\"configHash\":\"abc\",\"codeVersion\":\"1.2.3\"}";
        RowData row = new AuditRowConverter(SOLVENCY.schema()).convert(json);
        assertThat(row.getInt(pos(SOLVENCY, "portfolio"))).isEqualTo(3);
        assertThat(row.getString(pos(SOLVENCY, "previous_state")).toString()).isEqualTo("SOLVENT");
        assertThat(row.getDecimal(pos(SOLVENCY, "utilization"), 38, 18).toBigDecimal()).isEqualTo(new BigDecimal("0.912345678901234567"));
        assertThat(row.getBoolean(pos(SOLVENCY, "utilization_infinite"))).isFalse();
        assertThat(row.getString(pos(SOLVENCY, "code_version")).toString()).isEqualTo("1.2.3");
        assertThat(row.isNullAt(pos(SOLVENCY, "slot"))).isTrue();
        assertThat(row.getString(pos(SOLVENCY, "record")).toString()).isEqualTo(json);
    }

    @Test
    void anInfiniteUtilizationIsNullWithItsFlag() {
        String json = "{\"type\":\"PORTFOLIO_INSOLVENT\",\"eventId\":\"s-2\",\"eventTime\":\"2024-05-01T00:00:00.000Z\",\"wallet\":\"W1\","
                + "\"portfolio\":0,\"state\":\"INSOLVENT\",\"utilization\":null,\"utilizationInfinite\":true}";
        RowData row = new AuditRowConverter(SOLVENCY.schema()).convert(json);
        assertThat(row.isNullAt(pos(SOLVENCY, "utilization"))).isTrue();
        assertThat(row.getBoolean(pos(SOLVENCY, "utilization_infinite"))).isTrue();
    }

    @Test
    void aCustodyEventKeepsA128BitDifferenceWholeAndASlotAboveALongOnlyInRecord() {
        String difference = "-170141183460469231731687303715884105728";
        String json = "{\"type\":\"CUSTODY_INVARIANT_BROKEN\",\"eventId\":\"c-1\",\"eventTime\":\"2024-05-01T00:00:00.000Z\",\"custody\":\"C1\","
                + "\"slot\":\"18446744073709551615\",\"utilization\":\"0.25\",\"invariant\":\"OWNED_GE_BASE\",\"difference\":\"" + difference + "\"}";
        RowData row = new AuditRowConverter(SOLVENCY.schema()).convert(json);
        assertThat(row.getString(pos(SOLVENCY, "difference")).toString()).isEqualTo(difference);
        assertThat(row.isNullAt(pos(SOLVENCY, "slot"))).isTrue();
        assertThat(row.getString(pos(SOLVENCY, "invariant")).toString()).isEqualTo("OWNED_GE_BASE");
        assertThat(row.getDecimal(pos(SOLVENCY, "utilization"), 38, 18).toBigDecimal()).isEqualByComparingTo("0.25");

        RowData small = new AuditRowConverter(SOLVENCY.schema()).convert(json.replace("18446744073709551615", "250000123"));
        assertThat(small.getLong(pos(SOLVENCY, "slot"))).isEqualTo(250000123L);
    }
}

package io.collateralrisk.ltv.liquidation;

import io.collateralrisk.ltv.facility.FacilityCommand;
import io.collateralrisk.ltv.lifecycle.BandChange;
import io.collateralrisk.ltv.ltv.PriceUpdate;
import io.collateralrisk.model.HoldsReleased;
import io.collateralrisk.model.LifecycleEvent;

/**
 * One input of the circuit-breaker stage, keyed by pair; exactly one of the first five fields is
 * set. (A union record, so that Flink serializes the five inputs of one keyed stream field by field.)
 */
public record BreakerInput(
        LifecycleEvent event, BandChange bandChange, FacilityCommand command, PriceUpdate price, HoldsReleased release) {

    public static BreakerInput of(LifecycleEvent event) {
        return new BreakerInput(event, null, null, null, null);
    }

    public static BreakerInput of(BandChange change) {
        return new BreakerInput(null, change, null, null, null);
    }

    public static BreakerInput of(FacilityCommand command) {
        return new BreakerInput(null, null, command, null, null);
    }

    public static BreakerInput of(PriceUpdate price) {
        return new BreakerInput(null, null, null, price, null);
    }

    public static BreakerInput of(HoldsReleased release) {
        return new BreakerInput(null, null, null, null, release);
    }

    public String pair() {
        if (event != null) {
            return event.pair();
        } else if (bandChange != null) {
            return bandChange.pair();
        } else if (command != null) {
            return command.pair();
        } else if (price != null) {
            return price.pair();
        }
        return release.pair();
    }

    public long eventTime() {
        if (event != null) {
            return event.eventTime();
        } else if (bandChange != null) {
            return bandChange.eventTime();
        } else if (command != null) {
            return command.eventTime();
        } else if (price != null) {
            return price.eventTime();
        }
        return release.eventTime();
    }

    /** Order within one instant: an operator's release, then facility commands, the price, the LTV stage's events, band changes. */
    int rank() {
        if (release != null) {
            return 0;
        } else if (command != null) {
            return 1;
        } else if (price != null) {
            return 2;
        } else if (event != null) {
            return 3;
        }
        return 4;
    }

    /** The facility the input concerns, for the order within its rank; none for prices and releases. */
    String facilityId() {
        if (event != null) {
            return event.facilityId();
        } else if (bandChange != null) {
            return bandChange.facilityId();
        } else if (command != null) {
            return command.facilityId();
        }
        return "";
    }
}

package io.collateralrisk.jobs.audit;

import io.collateralrisk.model.config.RiskConfig;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.hadoop.HadoopCatalog;

/** The embedded default: a Hadoop catalog on the replay's {@code OUT/warehouse} directory. */
class HadoopCatalogReadBackTest extends AbstractAuditReadBackTest {

    @Override
    protected RiskConfig configuration(Path dir) {
        return RiskConfig.defaults();
    }

    @Override
    protected Catalog openReader(Path out) {
        return new HadoopCatalog(new Configuration(), out.resolve("warehouse").toString());
    }
}

package io.collateralrisk.jobs.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPostgresTest {

    private static final String PASSWORD = "it's a test";

    @Test
    void onlyTheUserWithItsPasswordLogsInOverTcpAndCloseRemovesEverything() throws Exception {
        Path dir;
        String url;
        try (LocalPostgres pg = LocalPostgres.start("probe_db", "probe_user", PASSWORD)) {
            dir = pg.directory();
            url = pg.jdbcUrl();
            assertThat(url).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/probe_db");
            try (Connection c = DriverManager.getConnection(url, pg.user(), PASSWORD);
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT current_user, current_database()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("probe_user");
                assertThat(rs.getString(2)).isEqualTo("probe_db");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(url, pg.user(), "wrong").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres", "").close())
                    .isInstanceOf(SQLException.class);
        }
        assertThat(dir).doesNotExist();
        assertThatThrownBy(() -> DriverManager.getConnection(url, "probe_user", PASSWORD).close())
                .isInstanceOf(SQLException.class).hasMessageContaining("Connection");
    }

    @Test
    void missingServerBinariesAreNamedWithHowToInstallThem(@TempDir Path empty) {
        assertThatThrownBy(() -> LocalPostgres.findBinaries(List.of(empty)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("initdb, pg_ctl, pg_isready, psql")
                .hasMessageContaining("apt-get install postgresql");
    }

    @Test
    void namesThatAreNotPlainIdentifiersAreRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> LocalPostgres.start("db; DROP", "u", "p"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("identifier");
    }
}

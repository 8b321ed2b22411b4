package health.consent.service.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A database that holds a version 1 log (unsalted leaves) is migrated: its checkpoints kept
 * aside, every record salted and appended again to the version 2 log.
 */
class LogMigrationTest {

    /** A new database of the kind named, migrated up to a version only. */
    private static Map<String, Object> migratedTo(String db, String version) {
        Map<String, Object> database = "H2".equals(db) ? Databases.h2() : Databases.postgres();
        Flyway.configure().dataSource((String) database.get("datasources.default.url"),
                (String) database.get("datasources.default.username"),
                (String) database.get("datasources.default.password")).locations("classpath:db/migration")
                .target(version).load().migrate();
        return database;
    }

    private static java.sql.Connection connection(Map<String, Object> database) throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection((String) database.get("datasources.default.url"),
                (String) database.get("datasources.default.username"),
                (String) database.get("datasources.default.password"));
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void a_database_holding_a_v1_log_is_salted_and_appended_again_to_the_v2_log(String db) {
        Map<String, Object> database = migratedTo(db, "5");
        try (var c = connection(database); var s = c.createStatement()) {
            s.execute("INSERT INTO application (id, name, publisher, status, registered_at) "
                    + "VALUES ('old-app', 'Old', 'Old', 'ACTIVE', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00')");
            for (int i = 0; i < 3; i++) {
                s.execute("INSERT INTO consent_event (patient_id, application_id, purpose, state, previous_state, "
                        + "notice_version, actor_type, actor_id, channel, at, leaf_index) VALUES ('p-" + i + "', "
                        + "'old-app', 'CARE', 'GRANTED', 'NOT_SET', 1, 'PATIENT', 'p-" + i + "', 'WEB', "
                        + "TIMESTAMP WITH TIME ZONE '2026-02-01 00:00:00+00', " + i + ")");
                s.execute("INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, "
                        + "outcome, at, received_at, leaf_index) VALUES ('old-app', '00000000-0000-4000-8000-00000000000"
                        + i + "', 'p-" + i + "', 'CARE', 'dr', 'vitals', 'PERMIT', "
                        + "TIMESTAMP WITH TIME ZONE '2026-02-02 00:00:00+00', TIMESTAMP WITH TIME ZONE '2026-02-02 00:00:00+00', "
                        + (3 + i) + ")");
            }
            s.execute("UPDATE audit_log SET tree_size = 6");
            s.execute("INSERT INTO checkpoint (tree_size, root_hash, signature, key_id, at) VALUES (6, '"
                    + "ab".repeat(32) + "', 'sig', 'key', TIMESTAMP WITH TIME ZONE '2026-02-03 00:00:00+00')");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }

        try (TestService service = TestService.start(database)) {
            assertThat(service.count("SELECT COUNT(*) FROM checkpoint_v1")).as("v1 checkpoints kept").isEqualTo(1);
            if (!"H2".equals(db)) {
                assertThat(service.count("SELECT COUNT(*) FROM access_record_y2026m02"))
                        .as("the records, moved into their month's partition (V12)").isEqualTo(3);
            }
            assertThat(service.count("SELECT COUNT(*) FROM consent_event WHERE salt IS NULL")
                    + service.count("SELECT COUNT(*) FROM access_record WHERE salt IS NULL")).isZero();
            assertThat(service.count("SELECT COUNT(*) FROM access_batch WHERE leaf_count = 3"))
                    .as("the records not in the log, put into one batch (V14)").isEqualTo(1);
            await().until(() -> service.count("SELECT COUNT(*) FROM consent_event WHERE leaf_index IS NULL")
                    + service.count("SELECT COUNT(*) FROM (" + Databases.ACCESS_LEAVES + ") l WHERE leaf_index IS NULL") == 0);
            assertThat(service.count("SELECT COUNT(DISTINCT leaf_index) FROM (" + Databases.ACCESS_LEAVES + ") l "
                    + "WHERE leaf_index BETWEEN 3 AND 5")).as("after the consent events, in the log's order").isEqualTo(3);
            assertThat(service.api().post("/api/v1/audit/checkpoints", Tokens.regulator(), null).num("treeSize"))
                    .isEqualTo(6);
            assertThat(service.api().get("/log/checkpoint", null).body().split("\n")[1]).isEqualTo("6");
            var exported = service.api().get("/api/v1/audit/consent-events?reason=Checking%20the%20migration",
                    Tokens.regulator());
            assertThat(exported.list("items")).allSatisfy(e -> assertThat(e.get("salt").getStringValue())
                    .matches("[0-9a-f]{64}"));
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void records_logged_one_by_one_before_batches_are_found_at_their_leaves_and_read_before_the_batches(String db)
            throws Exception {
        Map<String, Object> database = migratedTo(db, "13");
        // Three records logged one by one at leaves 0 to 2, and the tree's nodes they made.
        java.time.Instant at = java.time.Instant.now().minusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        List<String> older = new ArrayList<>();
        List<byte[]> leaves = new ArrayList<>();
        try (var c = connection(database); var s = c.createStatement()) {
            s.execute("INSERT INTO application (id, name, publisher, status, registered_at) VALUES ('old-app', 'Old', "
                    + "'Old', 'ACTIVE', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00')");
            for (int i = 0; i < 3; i++) {
                String id = "00000000-0000-4000-8000-00000000000" + i;
                older.add(id);
                var record = new health.consent.model.AccessRecord(id, health.consent.model.AccessorType.APPLICATION,
                        "old-app", "p-" + i, health.consent.model.Purpose.CARE, "dr", "vitals",
                        health.consent.model.Outcome.PERMIT, null, at, at, (long) i, "0a".repeat(32));
                leaves.add(health.consent.model.audit.AuditLeaves.accessRecordHash(record));
                s.execute("INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, "
                        + "outcome, at, received_at, accessor_type, salt, leaf_index) VALUES ('old-app', '" + id + "', 'p-"
                        + i + "', 'CARE', 'dr', 'vitals', 'PERMIT', TIMESTAMP WITH TIME ZONE '" + at.toString()
                        .replace('T', ' ').replace("Z", "+00") + "', TIMESTAMP WITH TIME ZONE '" + at.toString()
                        .replace('T', ' ').replace("Z", "+00") + "', 'APPLICATION', '" + "0a".repeat(32) + "', " + i + ")");
            }
            byte[] left = health.consent.model.audit.Merkle.nodeHash(leaves.get(0), leaves.get(1));
            Object[][] nodes = {{0, 0, leaves.get(0)}, {0, 1, leaves.get(1)}, {1, 0, left}, {0, 2, leaves.get(2)}};
            for (Object[] n : nodes) {
                s.execute("INSERT INTO merkle_node (lvl, idx, node_hash) VALUES (" + n[0] + ", " + n[1] + ", '"
                        + health.consent.model.audit.Merkle.hex((byte[]) n[2]) + "')");
            }
            s.execute("UPDATE audit_log SET tree_size = 3");
        }

        try (TestService service = TestService.start(database)) {
            String app = health.consent.service.support.Fixtures.registerApplication(service.api());
            String patient = health.consent.service.support.Fixtures.newPatient();
            List<String> newer = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String id = java.util.UUID.randomUUID().toString();
                newer.add(id);
                assertThat(service.api().post("/api/v1/access-records", Tokens.application(app), "["
                        + health.consent.service.support.Fixtures.accessRecord(id, patient, java.time.Instant.now()) + "]").status())
                        .isEqualTo(200);
            }
            var transactions = service.context().getBean(health.consent.service.db.Transactions.class);
            var records = service.context().getBean(health.consent.service.access.AccessRecordRepository.class);
            await().until(() -> transactions.read(records::countUnlogged) == 0);

            List<String> all = new ArrayList<>(older);
            all.addAll(newer);
            for (int i = 0; i < 3; i++) {
                long leaf = i;
                assertThat(transactions.read(() -> records.atLeaf(leaf)).map(r -> r.id())).contains(older.get(i));
            }
            for (long cursor = -1; cursor < 5; cursor++) {
                long after = cursor;
                List<String> rest = all.subList((int) Math.min(all.size(), Math.max(0, after + 1)), all.size());
                for (int limit : new int[] {1, 2, 4, 10}) {
                    assertThat(transactions.read(() -> records.loggedAfter(after, limit)).stream().map(r -> r.id())
                            .toList()).as("after leaf %d, %d at most", after, limit)
                            .isEqualTo(rest.subList(0, Math.min(limit, rest.size())));
                }
            }
            assertThat(service.api().post("/api/v1/audit/checkpoints", Tokens.regulator(), null).num("treeSize"))
                    .isEqualTo(5);
        }
    }

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void a_tree_stored_node_by_node_becomes_tiles_with_the_same_roots_and_proofs(String db) throws Exception {
        Map<String, Object> database = migratedTo(db, "14");
        // 300 leaves and every complete subtree above them, a row each, as the appender stored them before tiles.
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            leaves.add(health.consent.model.audit.Merkle.leafHash(("leaf " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        try (var c = connection(database);
             var insert = c.prepareStatement("INSERT INTO merkle_node (lvl, idx, node_hash) VALUES (?, ?, ?)")) {
            List<byte[]> level = leaves;
            for (int lvl = 0; !level.isEmpty(); lvl++) {
                List<byte[]> parents = new ArrayList<>();
                for (int i = 0; i < level.size(); i++) {
                    insert.setShort(1, (short) lvl);
                    insert.setLong(2, i);
                    insert.setString(3, health.consent.model.audit.Merkle.hex(level.get(i)));
                    insert.addBatch();
                    if (i % 2 == 1) {
                        parents.add(health.consent.model.audit.Merkle.nodeHash(level.get(i - 1), level.get(i)));
                    }
                }
                level = parents;
            }
            insert.executeBatch();
            try (var s = c.createStatement()) {
                s.execute("UPDATE audit_log SET tree_size = 300");
            }
        }

        try (TestService service = TestService.start(database)) {
            var transactions = service.context().getBean(health.consent.service.db.Transactions.class);
            MerkleStore tree = service.context().getBean(MerkleStore.class);
            for (int n : new int[] {1, 255, 256, 257, 300}) {
                byte[] root = MerkleTilesTest.mth(leaves, 0, n);
                assertThat(transactions.read(() -> tree.root(n))).as("root of %d", n).isEqualTo(root);
                List<byte[]> path = transactions.read(() -> tree.inclusionProof(n - 1, n));
                assertThat(health.consent.model.audit.Merkle.verifyInclusion(n - 1, n, leaves.get(n - 1), path, root))
                        .isTrue();
            }
            assertThat(transactions.read(() -> tree.tile(1, 0, 1))).isEqualTo(MerkleTilesTest.mth(leaves, 0, 256));
            assertThat(service.count("SELECT COUNT(*) FROM merkle_tile")).as("tiles 0/0, 0/1 and 1/0").isEqualTo(3);
            // The log goes on from there: the next leaves join the partial tile.
            new AuditClient(service.api()).activity(1);
            assertThat(service.api().post("/api/v1/audit/checkpoints", Tokens.regulator(), null).num("treeSize"))
                    .isGreaterThan(300);
            assertThat(transactions.read(() -> tree.root(300))).isEqualTo(MerkleTilesTest.mth(leaves, 0, 300));
        }
    }
}

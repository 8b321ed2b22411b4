package health.consent.service.audit;

import static health.consent.service.support.Fixtures.accessRecord;
import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import health.consent.model.AccessRecord;
import health.consent.service.access.AccessRecordRepository;
import health.consent.service.db.Transactions;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Access records take their leaves by batch (one per request): the readers of the log (the
 * findings pass, proofs) still find each record at its leaf, and walk them in the log's order
 * from any leaf, a page at a time, across batches and the consent events between them.
 */
class AccessLeavesTest extends OnBothDatabases {

    @Test
    void the_records_after_any_leaf_come_in_the_logs_order_whatever_the_page_and_the_batches() {
        String app = registerApplication(api);
        String patient = newPatient();
        decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
        List<String> ids = new ArrayList<>();
        Instant at = Instant.now().minusSeconds(60);
        for (int size : new int[] {3, 1, 4, 2}) {
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                batch.add(accessRecord(id, patient, at));
            }
            assertThat(api.post("/api/v1/access-records", Tokens.application(app), "[" + String.join(",", batch) + "]")
                    .num("stored")).isEqualTo(size);
            // A consent event between two batches takes a leaf between theirs once both are logged.
            decide(api, Tokens.patient(newPatient()), app, "CARE", "GRANTED");
        }
        Transactions transactions = service.context().getBean(Transactions.class);
        AccessRecordRepository records = service.context().getBean(AccessRecordRepository.class);
        await().until(() -> transactions.read(records::countUnlogged) == 0);

        List<AccessRecord> all = transactions.read(() -> records.loggedAfter(-1, 10_000));
        assertThat(all.stream().map(AccessRecord::id).toList()).containsAll(ids);
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).leafIndex()).isGreaterThan(all.get(i - 1).leafIndex());
        }
        for (AccessRecord r : all) {
            assertThat(transactions.read(() -> records.atLeaf(r.leafIndex())).map(AccessRecord::id)).contains(r.id());
        }
        long last = all.get(all.size() - 1).leafIndex();
        for (long cursor = -1; cursor <= last + 1; cursor++) {
            long after = cursor;
            List<String> rest = all.stream().filter(r -> r.leafIndex() > after).map(AccessRecord::id).toList();
            for (int limit : new int[] {1, 2, 3, 5, 7}) {
                List<String> page = transactions.read(() -> records.loggedAfter(after, limit)).stream()
                        .map(AccessRecord::id).toList();
                assertThat(page).as("after leaf %d, %d at most", after, limit)
                        .isEqualTo(rest.subList(0, Math.min(limit, rest.size())));
            }
        }
    }
}

package health.consent.service.audit;

import static health.consent.service.support.Fixtures.accessRecord;
import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api;
import health.consent.service.support.Api.Res;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A patient's access log, page by page, is exactly the newest-first order of their records, with
 * the right total, whatever the page size and however the records fall across months (on
 * PostgreSQL, across the monthly partitions, the default one and the months still ahead), with
 * records sharing a time (ordered by id) on a month's first instant, and with period filters.
 */
class AccessLogPagesTest {

    private static final int RECORDS = 60;

    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"H2", "PostgreSQL"})
    void every_page_of_the_access_log_is_the_newest_first_order_of_the_records(String database) {
        boolean postgres = "PostgreSQL".equals(database);
        try (TestService service = TestService.start(postgres ? Databases.postgres() : Databases.h2(), Map.of(), "test")) {
            Api api = service.api();
            String app = registerApplication(api, "STATISTICS");
            String other = registerApplication(api, "STATISTICS");
            String patient = newPatient();
            String neighbour = newPatient();
            decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
            List<String> ids = new ArrayList<>();
            StringBuilder batch = new StringBuilder("[");
            StringBuilder otherBatch = new StringBuilder("[");
            Instant now = Instant.now();
            for (int i = 0; i < RECORDS; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                batch.append(i == 0 ? "" : ",").append(accessRecord(id, i % 3 == 0 ? neighbour : patient, now));
                String otherId = UUID.randomUUID().toString();
                ids.add(otherId);
                otherBatch.append(i == 0 ? "" : ",").append(accessRecord(otherId, patient, now));
            }
            assertThat(api.post("/api/v1/access-records", Tokens.application(app), batch + "]").status()).isEqualTo(200);
            assertThat(api.post("/api/v1/access-records", Tokens.application(other), otherBatch + "]").status())
                    .isEqualTo(200);

            YearMonth current = YearMonth.now(ZoneOffset.UTC);
            if (postgres) {
                // Two past months with partitions of their own, as the service made them then; the
                // others fall in the default partition.
                for (YearMonth month : List.of(current.minusMonths(3), current.minusMonths(5))) {
                    service.sql("CREATE TABLE " + String.format("access_record_y%04dm%02d", month.getYear(),
                            month.getMonthValue()) + " PARTITION OF access_record FOR VALUES FROM ('" + month.atDay(1)
                            + " 00:00:00+00') TO ('" + month.plusMonths(1).atDay(1) + " 00:00:00+00')");
                }
            }
            // Spread over nine months, from seven months ago to next month: every fourth record on
            // its month's first instant (several share it), the others during the month.
            for (int i = 0; i < ids.size(); i++) {
                YearMonth month = current.minusMonths(7).plusMonths(i % 9);
                LocalDate day = month.atDay(1 + (i / 9) % 4 * 7);
                String time = i % 4 == 0 ? month.atDay(1) + " 00:00:00" : day + " " + String.format("%02d:%02d:00", i % 24, i % 60);
                service.sql("UPDATE access_record SET at = TIMESTAMP WITH TIME ZONE '" + time + "+00' WHERE id = '"
                        + ids.get(i) + "'");
            }

            String all = "SELECT id FROM access_record WHERE patient_id = '" + patient + "'";
            List<String> newestFirst = service.strings(all + " ORDER BY at DESC, id");
            assertThat(newestFirst).hasSize(2 * RECORDS - RECORDS / 3);
            for (int size : new int[] {1, 3, 7, 20, 200}) {
                assertThat(pages(api, patient, "", size)).as("pages of %d", size).isEqualTo(newestFirst);
            }

            String from = current.minusMonths(5).atDay(1) + "T00:00:00Z";
            String to = current.minusMonths(1).atDay(1) + "T00:00:00Z";
            List<String> period = service.strings(all + " AND at >= TIMESTAMP WITH TIME ZONE '" + from.replace("T", " ")
                    .replace("Z", "+00") + "' AND at < TIMESTAMP WITH TIME ZONE '" + to.replace("T", " ").replace("Z", "+00")
                    + "' ORDER BY at DESC, id");
            assertThat(period).isNotEmpty().hasSizeLessThan(newestFirst.size());
            for (int size : new int[] {1, 4, 50}) {
                assertThat(pages(api, patient, "&from=" + from + "&to=" + to, size)).as("period, pages of %d", size)
                        .isEqualTo(period);
            }
            List<String> ofOther = service.strings(all + " AND application_id = '" + other + "' ORDER BY at DESC, id");
            assertThat(pages(api, patient, "&applicationId=" + other, 6)).isEqualTo(ofOther);
        }
    }

    /** Every id of the patient's log, page after page, checking each page's total; and the page after the last is empty. */
    private static List<String> pages(Api api, String patient, String filters, int size) {
        List<String> ids = new ArrayList<>();
        for (int page = 0; ; page++) {
            Res res = api.get("/api/v1/me/access-log?size=" + size + "&page=" + page + filters, Tokens.patient(patient));
            assertThat(res.status()).as(res.toString()).isEqualTo(200);
            List<String> items = res.list("items").stream().map(n -> n.get("id").getStringValue()).toList();
            long total = res.num("totalItems");
            if (items.isEmpty()) {
                assertThat(ids).as("every record, then an empty page").hasSize((int) total);
                return ids;
            }
            assertThat(items).as("page %d of %d", page, size).hasSize((int) Math.min(size, total - (long) page * size));
            ids.addAll(items);
        }
    }
}

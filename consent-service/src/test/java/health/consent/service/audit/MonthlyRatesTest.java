package health.consent.service.audit;

import static health.consent.service.support.Fixtures.decide;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.time.YearMonth;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The consent rates month by month: the decisions of each month (UTC), by application and purpose. */
class MonthlyRatesTest extends OnBothDatabases {

    @Test
    void the_decisions_of_this_month_are_counted_by_kind() {
        String app = registerApplication(api, "STATISTICS");
        for (String state : new String[] {"GRANTED", "GRANTED", "REFUSED"}) {
            String patient = newPatient();
            decide(api, Tokens.patient(patient), app, "CARE", "GRANTED");
            decide(api, Tokens.patient(patient), app, "STATISTICS", state);
            if (state.equals("GRANTED")) {
                decide(api, Tokens.patient(patient), app, "STATISTICS", "WITHDRAWN");
            }
        }
        String month = YearMonth.now(ZoneOffset.UTC).toString();
        var rows = api.get("/api/v1/reports/consent-rates/monthly", Tokens.regulator()).list("");
        JsonNode row = rows.stream().filter(r -> r.get("applicationId").getStringValue().equals(app)
                && r.get("purpose").getStringValue().equals("STATISTICS")).findFirst().orElseThrow();
        assertThat(row.get("month").getStringValue()).isEqualTo(month);
        assertThat(row.get("granted").getLongValue()).isEqualTo(2);
        assertThat(row.get("refused").getLongValue()).isEqualTo(1);
        assertThat(row.get("withdrawn").getLongValue()).isEqualTo(2);
        assertThat(api.get("/api/v1/reports/consent-rates/monthly", Tokens.application(app)).status()).isEqualTo(403);
    }
}

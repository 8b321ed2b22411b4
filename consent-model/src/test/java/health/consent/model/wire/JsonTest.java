package health.consent.model.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void reads_what_the_service_writes() {
        Object value = Json.parse(" {\"changes\": [{\"seq\": 12, \"patientId\": null, \"ok\": true, \"x\": 1.5e3,"
                + " \"name\": \"Glyc\\u00e9mie+ \\\"v2\\\"\\n\"}], \"next\": 9007199254740993} ");
        Map<?, ?> map = (Map<?, ?>) value;
        assertThat(map.get("next")).isEqualTo(9007199254740993L);
        Map<?, ?> change = (Map<?, ?>) ((List<?>) map.get("changes")).get(0);
        assertThat(change.get("seq")).isEqualTo(12L);
        assertThat(change.containsKey("patientId")).isTrue();
        assertThat(change.get("patientId")).isNull();
        assertThat(change.get("ok")).isEqualTo(true);
        assertThat(change.get("name")).isEqualTo("Glycémie+ \"v2\"\n");
    }

    @Test
    void writes_strings_escaped_and_reads_them_back() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("actor", "Dr \"Lé\"\t\\ \u0001");
        m.put("ids", List.of("a", "b"));
        m.put("n", 3);
        String json = Json.write(m);
        assertThat(json).isEqualTo("{\"actor\":\"Dr \\\"Lé\\\"\\t\\\\ \\u0001\",\"ids\":[\"a\",\"b\"],\"n\":3}");
        assertThat(Json.parse(json)).isEqualTo(Map.of("actor", "Dr \"Lé\"\t\\ \u0001", "ids", List.of("a", "b"), "n", 3L));
    }

    @Test
    void malformed_json_is_refused() {
        for (String bad : List.of("{", "[1,", "{\"a\" 1}", "tru", "{} x", "\"open")) {
            assertThatThrownBy(() -> Json.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}

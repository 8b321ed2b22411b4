package health.consent.service.fhir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A FHIR JSON object under construction: FHIR forbids nulls and empty arrays, so a value that is
 * null or an empty list is simply left out.
 */
final class FhirJson {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    static FhirJson object() {
        return new FhirJson();
    }

    FhirJson put(String name, Object value) {
        if (value instanceof FhirJson j) {
            value = j.build();
        }
        if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                return this;
            }
            value = list.stream().map(v -> v instanceof FhirJson j ? j.build() : v).toList();
        }
        if (value != null) {
            fields.put(name, value);
        }
        return this;
    }

    Map<String, Object> build() {
        return fields;
    }

    /** {@code {system, code, display?}} */
    static FhirJson coding(String system, String code, String display) {
        return object().put("system", system).put("code", code).put("display", display);
    }

    /** {@code {coding: [coding]}} */
    static FhirJson concept(String system, String code, String display) {
        return object().put("coding", List.of(coding(system, code, display)));
    }

    /** A logical reference: {@code {identifier: {system, value}, display?}}. */
    static FhirJson reference(String system, String value, String display) {
        return object().put("identifier", object().put("system", system).put("value", value)).put("display", display);
    }
}

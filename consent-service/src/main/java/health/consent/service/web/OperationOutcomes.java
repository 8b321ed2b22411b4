package health.consent.service.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Errors under {@code /fhir/}: the problem document the JSON API would answer, as a FHIR
 * OperationOutcome with the same status (one issue per field at fault, or one for the whole).
 */
public final class OperationOutcomes {

    public static final String FHIR_JSON = "application/fhir+json";

    private OperationOutcomes() {
    }

    public static boolean isFhir(String path) {
        return path != null && path.startsWith("/fhir/");
    }

    public static Map<String, Object> of(Problem problem) {
        String code = switch (problem.status()) {
            case 400 -> "invalid";
            case 401 -> "login";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405, 415 -> "not-supported";
            case 429 -> "throttled";
            case 503 -> "transient";
            default -> problem.status() >= 500 ? "exception" : "processing";
        };
        List<Map<String, Object>> issues = new java.util.ArrayList<>();
        if (problem.errors() == null || problem.errors().isEmpty()) {
            issues.add(issue(code, problem.detail(), null));
        } else {
            for (Problem.FieldProblem f : problem.errors()) {
                issues.add(issue(code, f.field() + " " + f.message(), f.field()));
            }
        }
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("resourceType", "OperationOutcome");
        outcome.put("issue", issues);
        return outcome;
    }

    private static Map<String, Object> issue(String code, String diagnostics, String expression) {
        Map<String, Object> issue = new LinkedHashMap<>();
        issue.put("severity", "error");
        issue.put("code", code);
        if (diagnostics != null && !diagnostics.isBlank()) {
            issue.put("diagnostics", diagnostics);
        }
        if (expression != null) {
            issue.put("expression", List.of(expression));
        }
        return issue;
    }
}

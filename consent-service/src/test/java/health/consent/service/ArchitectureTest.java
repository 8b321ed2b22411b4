package health.consent.service;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import health.consent.model.Decision;
import health.consent.service.db.Db;
import org.junit.jupiter.api.Test;

/**
 * The seams of the service, kept by tests: each rule fails when a change breaks one. Read with
 * the README's "How the code is laid out".
 */
class ArchitectureTest {

    private static final JavaClasses SERVICE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("health.consent.service");

    /** The features that write, and the observers that listen to what they publish. */
    private static final String[] WRITERS = {"..service.consent..", "..service.catalogue..", "..service.access.."};
    private static final String[] OBSERVERS = {"..service.feed..", "..service.audit..", "..service.decision.."};

    /**
     * Classes named with one of the suffixes, with their nested classes and the classes the
     * framework generates for them ({@code $Name$Definition}).
     */
    private static String ownedBy(String suffixes) {
        return ".*\\.\\$?\\w*(" + suffixes + ")(\\$.*)?";
    }

    @Test
    void sql_is_written_only_in_repositories_which_own_their_tables() {
        noClasses().that().resideOutsideOfPackage("..service.db..")
                .and().haveNameNotMatching(ownedBy("Repository|Store"))
                .should().dependOnClassesThat().areAssignableTo(Db.class)
                .orShould().dependOnClassesThat().resideInAPackage("java.sql..")
                .because("a table's statements all live in the repository that owns it")
                .check(SERVICE);
    }

    @Test
    void nothing_outside_the_web_layer_knows_http() {
        noClasses().that().haveNameNotMatching(ownedBy("Controller|Requests"))
                .and().resideOutsideOfPackages("..service.web..", "..service.security..", "..service.ops..")
                .should().dependOnClassesThat().resideInAnyPackage("io.micronaut.http..", "io.micronaut.json..",
                        "io.micronaut.security..", "..service.web..")
                .because("services take typed commands and return results or refusals; only the web layer "
                        + "reads requests and maps refusals to statuses")
                .check(SERVICE);
    }

    @Test
    void writers_publish_and_never_call_their_observers() {
        noClasses().that().resideInAnyPackage(WRITERS)
                .should().dependOnClassesThat().resideInAnyPackage(OBSERVERS)
                .because("the feed, the audit log and the caches listen to what writers publish")
                .check(SERVICE);
    }

    @Test
    void observers_do_not_call_one_another() {
        noClasses().that().resideInAPackage("..service.feed..")
                .should().dependOnClassesThat().resideInAnyPackage("..service.audit..", "..service.decision..")
                .check(SERVICE);
        noClasses().that().resideInAnyPackage("..service.audit..", "..service.decision..")
                .should().dependOnClassesThat().resideInAPackage("..service.feed..")
                .check(SERVICE);
    }

    @Test
    void events_carry_facts_and_call_no_one() {
        noClasses().that().resideInAPackage("..service.events..")
                .should().dependOnClassesThat().resideInAnyPackage(WRITERS)
                .orShould().dependOnClassesThat().resideInAnyPackage(OBSERVERS)
                .check(SERVICE);
    }

    @Test
    void every_decision_is_derived_from_the_model() {
        noClasses().should().callMethod(Decision.class, "of", health.consent.model.Reason.class)
                .orShould().callMethod(Decision.class, "deny", health.consent.model.Reason.class)
                .orShould().callMethod(Decision.class, "permit")
                .orShould().callConstructor(Decision.class, health.consent.model.Outcome.class,
                        health.consent.model.Reason.class)
                .because("decisions come from PatientConsents and ApplicationTerms, nowhere else")
                .check(SERVICE);
    }

    @Test
    void features_do_not_depend_on_one_another_in_a_circle() {
        slices().matching("health.consent.service.(*)..").should().beFreeOfCycles().check(SERVICE);
    }
}

package health.consent.model;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The model is shared with the SDK that applications embed: it may use the JDK and nothing else. */
class ModelHasNoFrameworkTest {

    @Test
    void the_model_depends_on_the_jdk_only() {
        JavaClasses model = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("health.consent.model");
        classes().should().onlyDependOnClassesThat().resideInAnyPackage("health.consent.model..", "java..")
                .check(model);
    }
}

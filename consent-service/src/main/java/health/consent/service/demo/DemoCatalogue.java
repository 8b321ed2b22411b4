package health.consent.service.demo;

import health.consent.model.Purpose;
import health.consent.service.catalogue.Catalogue.Notice;
import health.consent.service.catalogue.CatalogueRepository;
import health.consent.model.ApplicationId;
import health.consent.service.db.Clock;
import health.consent.service.db.Transactions;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.context.event.StartupEvent;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** In the {@code dev} environment, fills an empty catalogue with three demonstration applications. */
@Singleton
@Requires(env = Environment.DEVELOPMENT)
public class DemoCatalogue implements ApplicationEventListener<StartupEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(DemoCatalogue.class);

    /** A demonstration application. */
    public record DemoApplication(String id, String name, String publisher, Map<Purpose, Notice> notices) {
    }

    private final Transactions transactions;
    private final CatalogueRepository catalogue;

    public DemoCatalogue(Transactions transactions, CatalogueRepository catalogue) {
        this.transactions = transactions;
        this.catalogue = catalogue;
    }

    @Override
    public void onApplicationEvent(StartupEvent event) {
        transactions.write(() -> {
            if (catalogue.isEmpty()) {
                Instant now = Clock.now();
                for (DemoApplication app : applications()) {
                    ApplicationId id = ApplicationId.of(app.id());
                    catalogue.insertApplication(id, app.name(), app.publisher(), now);
                    app.notices().forEach((purpose, notice) -> {
                        catalogue.declarePurpose(id, purpose, 1, now);
                        catalogue.insertNotice(id, purpose, 1, notice, now);
                    });
                }
                LOG.info("Empty catalogue: loaded {} demonstration applications", applications().size());
            }
            return null;
        });
    }

    public static List<DemoApplication> applications() {
        Map<Purpose, Notice> glucose = new LinkedHashMap<>();
        glucose.put(Purpose.CARE, new Notice(
                "Glycémie+ lit vos mesures de glycémie et vos traitements pour vous aider à suivre votre diabète "
                        + "et pour les partager avec votre médecin si vous le demandez.",
                "Glycémie+ reads your blood sugar readings and treatments to help you follow your diabetes "
                        + "and to share them with your doctor if you ask."));
        glucose.put(Purpose.STATISTICS, new Notice(
                "Vos mesures, sans votre nom, servent à des études sur le diabète menées avec des hôpitaux publics. "
                        + "C'est facultatif : si vous refusez, l'application fonctionne de la même façon.",
                "Your readings, without your name, are used for diabetes research with public hospitals. "
                        + "This is optional: if you say no, the app works exactly the same."));
        glucose.put(Purpose.SERVICE_IMPROVEMENT, new Notice(
                "Nous regardons comment vous utilisez l'application pour la rendre plus simple. "
                        + "C'est facultatif et ne change rien à votre suivi.",
                "We look at how you use the app to make it simpler. This is optional and changes nothing "
                        + "in your care."));

        Map<Purpose, Notice> heart = new LinkedHashMap<>();
        heart.put(Purpose.CARE, new Notice(
                "CardioSuivi reçoit votre tension et votre rythme cardiaque pour alerter votre équipe de soins "
                        + "en cas de valeur inquiétante.",
                "CardioSuivi receives your blood pressure and heart rate to alert your care team if a value "
                        + "is worrying."));
        heart.put(Purpose.STATISTICS, new Notice(
                "Vos données, sans votre nom, aident à mieux comprendre les maladies du cœur. C'est facultatif.",
                "Your data, without your name, helps to better understand heart disease. This is optional."));
        heart.put(Purpose.COMMERCIALISATION, new Notice(
                "Vos données, sans votre nom, peuvent être vendues à des entreprises qui fabriquent des appareils "
                        + "de santé. C'est facultatif : si vous refusez, vos soins ne changent pas.",
                "Your data, without your name, may be sold to companies that make health devices. "
                        + "This is optional: if you say no, your care does not change."));

        Map<Purpose, Notice> sleep = new LinkedHashMap<>();
        sleep.put(Purpose.CARE, new Notice(
                "Sommeil Serein lit votre journal de sommeil pour vous proposer des conseils adaptés.",
                "Sommeil Serein reads your sleep diary to give you advice that suits you."));
        sleep.put(Purpose.SERVICE_IMPROVEMENT, new Notice(
                "Nous utilisons vos réponses, sans votre nom, pour améliorer nos conseils. C'est facultatif.",
                "We use your answers, without your name, to improve our advice. This is optional."));
        sleep.put(Purpose.STATISTICS, new Notice(
                "Vos données de sommeil, sans votre nom, servent à des statistiques publiques sur le sommeil. "
                        + "C'est facultatif.",
                "Your sleep data, without your name, is used for public statistics about sleep. This is optional."));

        return List.of(
                new DemoApplication("glycemie-plus", "Glycémie+", "Diabète Numérique SAS", glucose),
                new DemoApplication("cardio-suivi", "CardioSuivi", "Hôpital Numérique de Lyon", heart),
                new DemoApplication("sommeil-serein", "Sommeil Serein", "Association Bien Dormir", sleep));
    }
}

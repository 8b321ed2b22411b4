package health.consent.service.demo;

import health.consent.model.Purpose;
import health.consent.service.catalogue.Catalogue.Notice;
import health.consent.service.catalogue.CatalogueRepository;
import health.consent.service.catalogue.CatalogueService.Declaration;
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

    /** A demonstration application: each purpose's notice, easy-to-read summary, and longest grant (days, or null). */
    public record DemoApplication(String id, String name, String publisher, Map<Purpose, Declaration> notices) {
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
                    app.notices().forEach((purpose, d) -> {
                        catalogue.declarePurpose(id, purpose, 1, d.longestGrantDays(), now);
                        catalogue.insertNotice(id, purpose, 1, d.notice(), d.easyRead(), now);
                    });
                }
                LOG.info("Empty catalogue: loaded {} demonstration applications", applications().size());
            }
            return null;
        });
    }

    /** A notice with its easy-to-read summary (short sentences, everyday words). */
    private static Declaration notice(Notice full, String easyFr, String easyEn, Integer longestGrantDays) {
        return new Declaration(1, full, new Notice(easyFr, easyEn), longestGrantDays);
    }

    public static List<DemoApplication> applications() {
        Map<Purpose, Declaration> glucose = new LinkedHashMap<>();
        glucose.put(Purpose.CARE, notice(new Notice(
                "Glycémie+ lit vos mesures de glycémie et vos traitements pour vous aider à suivre votre diabète "
                        + "et pour les partager avec votre médecin si vous le demandez.",
                "Glycémie+ reads your blood sugar readings and treatments to help you follow your diabetes "
                        + "and to share them with your doctor if you ask."),
                "L’application lit votre glycémie. Elle vous aide à suivre votre diabète. Votre médecin peut voir vos mesures si vous le voulez.",
                "The app reads your blood sugar. It helps you follow your diabetes. Your doctor can see your readings if you want.", null));
        glucose.put(Purpose.STATISTICS, notice(new Notice(
                "Vos mesures, sans votre nom, servent à des études sur le diabète menées avec des hôpitaux publics. "
                        + "C'est facultatif : si vous refusez, l'application fonctionne de la même façon.",
                "Your readings, without your name, are used for diabetes research with public hospitals. "
                        + "This is optional: if you say no, the app works exactly the same."),
                "Des hôpitaux étudient le diabète. Ils utilisent vos mesures sans votre nom. Vous pouvez dire non. L’application marche pareil.",
                "Hospitals study diabetes. They use your readings without your name. You can say no. The app works the same.", 365));
        glucose.put(Purpose.SERVICE_IMPROVEMENT, notice(new Notice(
                "Nous regardons comment vous utilisez l'application pour la rendre plus simple. "
                        + "C'est facultatif et ne change rien à votre suivi.",
                "We look at how you use the app to make it simpler. This is optional and changes nothing "
                        + "in your care."),
                "Nous regardons comment vous utilisez l’application. Nous voulons la rendre plus simple. Vous pouvez dire non.",
                "We look at how you use the app. We want to make it simpler. You can say no.", null));

        Map<Purpose, Declaration> heart = new LinkedHashMap<>();
        heart.put(Purpose.CARE, notice(new Notice(
                "CardioSuivi reçoit votre tension et votre rythme cardiaque pour alerter votre équipe de soins "
                        + "en cas de valeur inquiétante.",
                "CardioSuivi receives your blood pressure and heart rate to alert your care team if a value "
                        + "is worrying."),
                "L’application reçoit votre tension et votre cœur. Si une valeur est inquiétante, elle prévient votre équipe de soins.",
                "The app receives your blood pressure and heart rate. If a value is worrying, it tells your care team.", null));
        heart.put(Purpose.STATISTICS, notice(new Notice(
                "Vos données, sans votre nom, aident à mieux comprendre les maladies du cœur. C'est facultatif.",
                "Your data, without your name, helps to better understand heart disease. This is optional."),
                "Des chercheurs étudient les maladies du cœur. Ils utilisent vos données sans votre nom. Vous pouvez dire non.",
                "Researchers study heart disease. They use your data without your name. You can say no.", 365));
        heart.put(Purpose.COMMERCIALISATION, notice(new Notice(
                "Vos données, sans votre nom, peuvent être vendues à des entreprises qui fabriquent des appareils "
                        + "de santé. C'est facultatif : si vous refusez, vos soins ne changent pas.",
                "Your data, without your name, may be sold to companies that make health devices. "
                        + "This is optional: if you say no, your care does not change."),
                "Des entreprises peuvent acheter vos données sans votre nom. Elles fabriquent des appareils de santé. Vous pouvez dire non. Vos soins ne changent pas.",
                "Companies may buy your data without your name. They make health devices. You can say no. Your care does not change.", 180));

        Map<Purpose, Declaration> sleep = new LinkedHashMap<>();
        sleep.put(Purpose.CARE, notice(new Notice(
                "Sommeil Serein lit votre journal de sommeil pour vous proposer des conseils adaptés.",
                "Sommeil Serein reads your sleep diary to give you advice that suits you."),
                "L’application lit votre journal de sommeil. Elle vous donne des conseils pour mieux dormir.",
                "The app reads your sleep diary. It gives you advice to sleep better.", null));
        sleep.put(Purpose.SERVICE_IMPROVEMENT, notice(new Notice(
                "Nous utilisons vos réponses, sans votre nom, pour améliorer nos conseils. C'est facultatif.",
                "We use your answers, without your name, to improve our advice. This is optional."),
                "Nous utilisons vos réponses sans votre nom. Nous voulons donner de meilleurs conseils. Vous pouvez dire non.",
                "We use your answers without your name. We want to give better advice. You can say no.", null));
        sleep.put(Purpose.STATISTICS, notice(new Notice(
                "Vos données de sommeil, sans votre nom, servent à des statistiques publiques sur le sommeil. "
                        + "C'est facultatif.",
                "Your sleep data, without your name, is used for public statistics about sleep. This is optional."),
                "Vos données de sommeil servent à des chiffres publics. Votre nom n’y est pas. Vous pouvez dire non.",
                "Your sleep data is used for public figures. Your name is not in them. You can say no.", 365));

        return List.of(
                new DemoApplication("glycemie-plus", "Glycémie+", "Diabète Numérique SAS", glucose),
                new DemoApplication("cardio-suivi", "CardioSuivi", "Hôpital Numérique de Lyon", heart),
                new DemoApplication("sommeil-serein", "Sommeil Serein", "Association Bien Dormir", sleep));
    }
}

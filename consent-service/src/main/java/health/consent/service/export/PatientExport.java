package health.consent.service.export;

import health.consent.model.AccessRecord;
import health.consent.model.ApplicationId;
import health.consent.model.ConsentEvent;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.service.access.AccessRecordRepository;
import health.consent.service.access.AccessRecordService;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.CatalogueRepository;
import health.consent.service.catalogue.CatalogueService;
import health.consent.service.concern.ConcernRepository;
import health.consent.service.concern.ConcernService.PatientConcern;
import health.consent.service.consent.ConsentRepository;
import health.consent.service.consent.ConsentService;
import health.consent.service.consent.ConsentViews.HistoryEvent;
import health.consent.service.consent.ConsentViews.NoticeVersion;
import health.consent.service.db.Clock;
import health.consent.service.purge.PurgeRepository;
import health.consent.service.purge.PurgeService.PurgeView;
import health.consent.service.db.Paging;
import health.consent.service.db.Transactions;
import health.consent.service.security.Callers.PatientCaller;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Everything held about a patient, as one JSON document written while it is read: the consents,
 * the whole history, the notices it refers to, the whole access log, the concerns and the erasures
 * owed (with their confirmations). Rows are read
 * page by page (each page its own short read, by position, so a slow download holds no database
 * connection) and written as they come, so memory does not grow with the patient's trail.
 */
@Singleton
public class PatientExport {

    static final int PAGE = 1_000;

    private final Transactions transactions;
    private final ConsentService consentService;
    private final ConsentRepository consents;
    private final AccessRecordRepository records;
    private final ConcernRepository concerns;
    private final CatalogueRepository catalogueRows;
    private final CatalogueService catalogue;
    private final PurgeRepository purges;
    private final ExecutorService blocking;

    public PatientExport(Transactions transactions, ConsentService consentService, ConsentRepository consents,
                         AccessRecordRepository records, ConcernRepository concerns, CatalogueRepository catalogueRows,
                         CatalogueService catalogue, PurgeRepository purges,
                         @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.transactions = transactions;
        this.consentService = consentService;
        this.consents = consents;
        this.records = records;
        this.concerns = concerns;
        this.catalogueRows = catalogueRows;
        this.catalogue = catalogue;
        this.purges = purges;
        this.blocking = blocking;
    }

    /**
     * The export as a stream, written by a task of the blocking pool through the sink {@code format}
     * makes of the stream; {@code done} runs when it is written or has failed. A failure cuts the
     * stream with an error, never with a shorter document.
     */
    public InputStream stream(PatientCaller caller, Function<OutputStream, ExportSink> format, Runnable done) {
        ChunkPipe pipe = new ChunkPipe();
        blocking.execute(() -> {
            try {
                write(caller, format.apply(pipe.out));
                pipe.out.close();
            } catch (IOException | RuntimeException e) {
                pipe.fail(e);
            } finally {
                done.run();
            }
        });
        return pipe.in;
    }

    private void write(PatientCaller caller, ExportSink out) throws IOException {
        PatientId patient = caller.patient();
        out.value("patientId", patient.value());
        out.value("exportedAt", Clock.now());
        out.value("consents", consentService.list(caller));

        out.beginArray("history");
        Set<NoticeKey> referenced = new LinkedHashSet<>();
        long afterSeq = 0;
        while (true) {
            long after = afterSeq;
            List<ConsentEvent> page = transactions.read(() -> consents.historyAfter(patient, after, PAGE));
            for (ConsentEvent e : page) {
                out.element(HistoryEvent.of(e));
                referenced.add(new NoticeKey(e.application(), e.purpose(), e.noticeVersion()));
                afterSeq = e.seq();
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        out.endArray();

        out.beginArray("notices");
        for (NoticeKey k : referenced) {
            var notice = transactions.read(() -> catalogueRows.notice(k.application(), k.purpose(), k.version()));
            if (notice.isPresent()) {
                out.element(new NoticeVersion(k.application().value(), k.purpose(), k.version(), notice.get()));
            }
        }
        out.endArray();

        out.beginArray("accessLog");
        Map<String, String> names = catalogue.all().stream().collect(Collectors.toMap(Application::id, Application::name));
        Instant afterAt = null;
        String afterId = null;
        while (true) {
            Instant at = afterAt;
            String id = afterId;
            List<AccessRecord> page = transactions.lagging(() -> records.ofPatientAfter(patient, at, id, PAGE));
            for (AccessRecord r : page) {
                out.element(AccessRecordService.entry(r, names));
                afterAt = r.at();
                afterId = r.id();
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        out.endArray();

        out.value("concerns", transactions.read(() -> concerns.ofPatient(patient.value(),
                new Paging.Request(0, Integer.MAX_VALUE))).stream().map(PatientConcern::of).toList());
        out.value("purges", transactions.read(() -> purges.ofPatient(patient)).stream().map(PurgeView::of).toList());
        out.end();
    }

    private record NoticeKey(ApplicationId application, Purpose purpose, int version) {
    }
}

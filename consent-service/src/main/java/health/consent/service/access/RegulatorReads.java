package health.consent.service.access;

import health.consent.model.PatientId;
import health.consent.service.db.Clock;
import health.consent.service.db.Transactions;
import health.consent.service.events.AccessRecorded;
import health.consent.service.security.Callers.RegulatorCaller;
import jakarta.inject.Singleton;
import java.util.Collection;
import java.util.List;

/**
 * A regulator's read of patient-level data, recorded in the log of each patient read with the
 * reason given: one access record per patient, in the read's own transaction (the trail, the
 * findings and FHIR all record their reads here).
 */
@Singleton
public class RegulatorReads {

    private final Transactions transactions;
    private final AccessRecordRepository records;

    public RegulatorReads(Transactions transactions, AccessRecordRepository records) {
        this.transactions = transactions;
        this.records = records;
    }

    /** Call inside the write transaction that reads: the read and its record land together or not at all. */
    public void record(RegulatorCaller regulator, Collection<PatientId> patients, String category, String reason) {
        if (patients.isEmpty()) {
            return;
        }
        records.insertRegulatorReads(regulator.regulator(), regulator.actor(), List.copyOf(patients), category, reason,
                Clock.now());
        transactions.publish(new AccessRecorded(patients.size()));
    }
}

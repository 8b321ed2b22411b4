package health.consent.service.audit;

import health.consent.service.audit.ProofService.PatientProof;
import health.consent.service.outcome.Refusal;
import health.consent.service.security.Callers;
import health.consent.service.security.Roles;
import health.consent.service.web.ApiException;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** A patient verifies their own records: the proof that a record of theirs is in the public log. */
@Controller("/api/v1/me/proofs")
@Secured(Roles.PATIENT)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Patient")
public class ProofController {

    private final ProofService proofs;

    public ProofController(ProofService proofs) {
        this.proofs = proofs;
    }

    @Operation(summary = "The record at this leaf, with its salt, its inclusion proof and the signed checkpoint (PATIENT, own leaves)")
    @Get("/{leafIndex}")
    public PatientProof proof(Authentication authentication, @PathVariable String leafIndex) {
        var patient = Callers.patient(authentication).patient();
        if (!leafIndex.matches("[0-9]{1,18}")) {
            // Answered as a leaf that is not the patient's: nothing tells whether it exists.
            throw ApiException.of(Refusal.notFound("no record of yours at that leaf"));
        }
        return ApiException.unwrap(proofs.proof(patient, Long.parseLong(leafIndex)));
    }
}

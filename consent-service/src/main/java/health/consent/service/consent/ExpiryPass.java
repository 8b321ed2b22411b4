package health.consent.service.consent;

import health.consent.service.db.BackgroundPass;
import health.consent.service.db.BackgroundWork;
import health.consent.service.db.Clock;
import health.consent.service.db.Transactions;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends time-boxed grants when their time comes, with no call from anyone: every tick
 * ({@code consent.expiry.interval}, a second), each due grant becomes EXPIRED with its EXPIRY event,
 * which the change feed carries like any change. Every instance runs it; the consent rows' lock and
 * the aggregate's own check make one event per expiry. Due grants left by a stopped service are
 * expired at its next start.
 */
@Singleton
public class ExpiryPass implements BackgroundWork {

    private static final Logger LOG = LoggerFactory.getLogger(ExpiryPass.class);
    static final int BATCH = 200;

    private final Transactions transactions;
    private final ConsentRepository consents;
    private final ConsentService service;
    private final BackgroundPass pass;

    public ExpiryPass(Transactions transactions, ConsentRepository consents, ConsentService service,
                      @Value("${consent.expiry.interval:1s}") Duration interval) {
        this.transactions = transactions;
        this.consents = consents;
        this.service = service;
        this.pass = new BackgroundPass("consent-expiry", interval, Duration.ZERO, this::expireDue, LOG);
    }

    @Override
    public BackgroundPass backgroundPass() {
        return pass;
    }

    /** Expires every grant due now; returns how many events were recorded. */
    public int expireDue() {
        int recorded = 0;
        while (true) {
            List<ConsentRepository.Due> due = transactions.read(() -> consents.dueToExpire(Clock.now(), BATCH));
            int before = recorded;
            for (ConsentRepository.Due d : due) {
                recorded += service.expire(d.patient(), d.application(), d.purpose());
            }
            // Another batch only while this one did something (a grant that cannot expire is not asked forever).
            if (due.size() < BATCH || recorded == before) {
                return recorded;
            }
        }
    }
}

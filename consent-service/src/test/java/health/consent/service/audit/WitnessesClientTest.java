package health.consent.service.audit;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.audit.Cosignature;
import health.consent.model.audit.SignedNote;
import java.security.KeyPairGenerator;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A service without witnesses builds no HTTP client: a client starts a selector thread of its own
 * and loads the JDK's trust store at start-up, for nothing to send.
 */
class WitnessesClientTest {

    @Test
    void no_http_client_is_started_without_witnesses_and_one_is_with_them() throws Exception {
        long before = clientThreads();
        Witnesses none = new Witnesses("", 0, Duration.ofSeconds(10), null, null, null);
        assertThat(none.any()).isFalse();
        assertThat(clientThreads()).isEqualTo(before);

        var keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        String key = SignedNote.verifierKey("w.example/witness", Cosignature.TYPE, keys.getPublic());
        Witnesses one = new Witnesses("http://127.0.0.1:9/ " + key, 1, Duration.ofSeconds(10), null, null, null);
        assertThat(one.any()).isTrue();
        assertThat(clientThreads()).isEqualTo(before + 1);
    }

    /** The JDK's HTTP client names its selector thread {@code HttpClient-<n>-SelectorManager}, one a client. */
    private static long clientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("HttpClient-")
                        && t.getName().endsWith("-SelectorManager"))
                .count();
    }
}

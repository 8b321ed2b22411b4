package health.consent.model.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Signed notes against the published examples of c2sp.org/signed-note and Go's sumdb/note. */
class SignedNoteTest {

    /** Go's sumdb/note example key and note (note_test.go). */
    private static final String PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    private static final String PETER_SEED = "810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173";
    private static final String PETER_TEXT = "If you think cryptography is the answer to your problem,\n"
            + "then you don't know what your problem is.\n";
    private static final String PETER_NOTE = PETER_TEXT + "\n\u2014 PeterNeumann "
            + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    @Test
    void the_published_example_notes_verify_with_their_keys() {
        SignedNote.VerifierKey peter = SignedNote.VerifierKey.parse(PETER_VKEY);
        assertThat(SignedNote.verify(SignedNote.parse(PETER_NOTE), peter)).isTrue();
        SignedNote.VerifierKey example = SignedNote.VerifierKey.parse(
                "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
        assertThat(SignedNote.verify(SignedNote.parse("This is an example message.\n\n\u2014 example.com/foo "
                + "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"),
                example)).isTrue();
        SignedNote.VerifierKey sumdb = SignedNote.VerifierKey.parse(
                "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8");
        assertThat(SignedNote.verify(SignedNote.parse("go.sum database tree\n6476701\n"
                + "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n\u2014 sum.golang.org "
                + "Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n"),
                sumdb)).isTrue();
    }

    @Test
    void signing_reproduces_the_published_signature_byte_for_byte() throws Exception {
        PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(
                HexFormat.of().parseHex("302e020100300506032b657004220420" + PETER_SEED)));
        SignedNote.VerifierKey peter = SignedNote.VerifierKey.parse(PETER_VKEY);
        SignedNote.Line line = SignedNote.sign("PeterNeumann", key, peter.key(), PETER_TEXT);
        assertThat(new SignedNote.Note(PETER_TEXT, java.util.List.of(line)).format()).isEqualTo(PETER_NOTE);
        assertThat(SignedNote.verifierKey("PeterNeumann", SignedNote.ED25519, peter.key())).isEqualTo(PETER_VKEY);
    }

    @Test
    void a_changed_text_or_a_signature_of_another_key_does_not_verify() {
        SignedNote.VerifierKey peter = SignedNote.VerifierKey.parse(PETER_VKEY);
        assertThat(SignedNote.verify(SignedNote.parse(PETER_NOTE.replace("answer", "Answer")), peter)).isFalse();
        SignedNote.VerifierKey other = SignedNote.VerifierKey.parse(
                "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
        assertThat(SignedNote.verify(SignedNote.parse(PETER_NOTE), other)).as("no signature of that key").isFalse();
    }

    @Test
    void malformed_keys_and_notes_are_refused() {
        assertThatThrownBy(() -> SignedNote.VerifierKey.parse(
                "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedNote.VerifierKey.parse(
                "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedNote.VerifierKey.parse(PETER_VKEY.replace("c74f20a3", "c74f20a4")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedNote.parse(PETER_TEXT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedNote.parse(PETER_NOTE.replace("\u2014", "-"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedNote.parse(PETER_NOTE.replace("\n\n", "\r\n\n"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_checkpoints_text_is_origin_size_and_base64_root() {
        byte[] empty = Merkle.emptyRoot();
        assertThat(SignedNote.checkpointText("consent.example/audit/v2", 0, empty))
                .isEqualTo("consent.example/audit/v2\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
        assertThat(SignedNote.isValidName("consent.example/audit/v2")).isTrue();
        assertThat(SignedNote.isValidName("a b")).isFalse();
        assertThat(SignedNote.isValidName("a+b")).isFalse();
    }
}

package health.consent.model.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cosignatures (c2sp.org/tlog-cosignature) against a vector made outside this project from the
 * specification with fixed seeds (Ed25519 is deterministic, so any correct implementation writes
 * the same bytes): the log's key from 32 bytes of 0x11, the witness's from 32 bytes of 0x22.
 */
class CosignatureTest {

    private static final String TEXT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    private static final String LOG_LINE = "\u2014 example.com/behind-the-sofa tYy/iJi+VohutU4Wo23FIvfp0RwBZSjLnrawOcLnHUTo"
            + "sM9W9HpZn8aWGTyClJfXa9nf56sOHtbpoFJLsedoHAAb8gU=\n";
    private static final String WITNESS_LINE = "\u2014 witness.example/w1 4M0oZAAAAABkGFDLQg9ie17H59EQY6vgePJ21ZXOJa4cyo"
            + "QcMJbNc7ZiCam1MQzkLuZg29Ah+OjytK1AM1KxQxRzfOQg2V6cLc0TCA==\n";
    private static final String LOG_VKEY = "example.com/behind-the-sofa+b58cbf88+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3";
    private static final String WITNESS_VKEY = "witness.example/w1+e0cd2864+BKCapfR6Z1mAL/lV+NwtKhSlyZ0jvpf4ZBJ/+Tg0VaTw";

    private static PrivateKey seed(String byteHex) throws Exception {
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(
                HexFormat.of().parseHex("302e020100300506032b657004220420" + byteHex.repeat(32))));
    }

    @Test
    void a_cosignature_is_written_byte_for_byte_as_the_specification_makes_it_and_verifies() throws Exception {
        SignedNote.VerifierKey log = SignedNote.VerifierKey.parse(LOG_VKEY);
        SignedNote.VerifierKey witness = SignedNote.VerifierKey.parse(WITNESS_VKEY);
        assertThat(SignedNote.sign(log.name(), seed("11"), log.key(), TEXT).format()).isEqualTo(LOG_LINE);
        assertThat(Cosignature.sign(witness.name(), seed("22"), witness.key(), TEXT, 1679315147L).format())
                .isEqualTo(WITNESS_LINE);
        assertThat(SignedNote.verifierKey(witness.name(), Cosignature.TYPE, witness.key())).isEqualTo(WITNESS_VKEY);

        SignedNote.Note note = SignedNote.parse(TEXT + "\n" + LOG_LINE + WITNESS_LINE);
        assertThat(SignedNote.verify(note, log)).isTrue();
        assertThat(Cosignature.verify(note, witness)).hasValue(1679315147L);
        SignedNote.Note other = new SignedNote.Note(TEXT.replace("20852163", "20852164"), note.signatures());
        assertThat(Cosignature.verify(other, witness)).as("a cosignature of another checkpoint").isEmpty();
        assertThat(Cosignature.verify(new SignedNote.Note(TEXT, List.of()), witness)).isEmpty();
    }
}

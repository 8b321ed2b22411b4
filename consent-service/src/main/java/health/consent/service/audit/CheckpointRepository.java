package health.consent.service.audit;

import health.consent.model.audit.Checkpoint;
import health.consent.model.audit.Merkle;
import health.consent.model.audit.SignedNote;
import health.consent.service.db.Db;
import jakarta.inject.Singleton;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** The signed checkpoints' table, and every statement on it: {@code checkpoint}. */
@Singleton
public class CheckpointRepository {

    private final Db db;

    public CheckpointRepository(Db db) {
        this.db = db;
    }

    /** A checkpoint as the log published it: the signed JSON form, and the C2SP note's signature line. */
    public record Published(Checkpoint checkpoint, String origin, SignedNote.Line noteSignature) {

        /** The checkpoint as a signed note (c2sp.org/tlog-checkpoint), with the operator's signature. */
        public SignedNote.Note note() {
            return new SignedNote.Note(SignedNote.checkpointText(origin, checkpoint.treeSize(),
                    Merkle.unhex(checkpoint.rootHash())), List.of(noteSignature));
        }
    }

    /**
     * Stores a checkpoint and its note signature; two instances may sign the same size at once:
     * the first stored wins, both are valid.
     */
    public void insert(Checkpoint c, String origin, SignedNote.Line note) {
        db.update("INSERT INTO checkpoint (tree_size, root_hash, signature, key_id, at, origin, note_signature) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", c.treeSize(), c.rootHash(), c.signature(),
                c.keyId(), c.at(), origin, encode(note));
    }

    public Optional<Published> latestPublished() {
        return db.one("SELECT tree_size, root_hash, signature, key_id, at, origin, note_signature FROM checkpoint "
                + "ORDER BY tree_size DESC LIMIT 1", rs -> new Published(new Checkpoint(rs.getLong(1), rs.getString(2),
                rs.getString(3), rs.getString(4), Db.instant(rs, "at")), rs.getString(6), decode(rs.getString(6),
                rs.getString(7))));
    }

    /** The signature line, stored as key id and signature in base64, as it stands on the line. */
    private static String encode(SignedNote.Line line) {
        byte[] both = Arrays.copyOf(line.keyId(), 4 + line.signature().length);
        System.arraycopy(line.signature(), 0, both, 4, line.signature().length);
        return Base64.getEncoder().encodeToString(both);
    }

    private static SignedNote.Line decode(String name, String stored) {
        byte[] both = Base64.getDecoder().decode(stored);
        return new SignedNote.Line(name, Arrays.copyOf(both, 4), Arrays.copyOfRange(both, 4, both.length));
    }

    public Optional<Checkpoint> latest() {
        return db.one("SELECT tree_size, root_hash, signature, key_id, at FROM checkpoint ORDER BY tree_size DESC LIMIT 1",
                rs -> new Checkpoint(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        Db.instant(rs, "at")));
    }
}

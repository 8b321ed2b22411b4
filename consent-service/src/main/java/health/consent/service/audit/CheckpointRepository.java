package health.consent.service.audit;

import health.consent.model.audit.Checkpoint;
import health.consent.service.db.Db;
import jakarta.inject.Singleton;
import java.util.Optional;

/** The signed checkpoints' table, and every statement on it: {@code checkpoint}. */
@Singleton
public class CheckpointRepository {

    private final Db db;

    public CheckpointRepository(Db db) {
        this.db = db;
    }

    /** Stores a checkpoint; two instances may sign the same size at once: the first stored wins, both are valid. */
    public void insert(Checkpoint c) {
        db.update("INSERT INTO checkpoint (tree_size, root_hash, signature, key_id, at) VALUES (?, ?, ?, ?, ?) "
                + "ON CONFLICT DO NOTHING", c.treeSize(), c.rootHash(), c.signature(), c.keyId(), c.at());
    }

    public Optional<Checkpoint> latest() {
        return db.one("SELECT tree_size, root_hash, signature, key_id, at FROM checkpoint ORDER BY tree_size DESC LIMIT 1",
                rs -> new Checkpoint(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        Db.instant(rs, "at")));
    }
}

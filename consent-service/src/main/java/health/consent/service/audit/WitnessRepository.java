package health.consent.service.audit;

import health.consent.service.db.Db;
import jakarta.inject.Singleton;
import java.util.List;

/** The witnesses' tables, and every statement on them: {@code cosignature} and {@code witness_state}. */
@Singleton
public class WitnessRepository {

    private final Db db;

    public WitnessRepository(Db db) {
        this.db = db;
    }

    /** The cosignature lines of the checkpoint of that size, by witness name. */
    public List<String> cosignatures(long treeSize) {
        return db.list("SELECT line FROM cosignature WHERE tree_size = ? ORDER BY witness", rs -> rs.getString(1),
                treeSize);
    }

    public boolean hasCosigned(String witness, long treeSize) {
        return db.count("SELECT COUNT(*) FROM cosignature WHERE tree_size = ? AND witness = ?", treeSize, witness) > 0;
    }

    public void cosigned(String witness, long treeSize, String line) {
        db.update("INSERT INTO cosignature (tree_size, witness, line) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                treeSize, witness, line);
        knownSize(witness, treeSize);
    }

    /** The size the witness last cosigned (0 when it never did). */
    public long size(String witness) {
        return db.one("SELECT tree_size FROM witness_state WHERE witness = ?", rs -> rs.getLong(1), witness).orElse(0L);
    }

    public void knownSize(String witness, long treeSize) {
        if (db.update("UPDATE witness_state SET tree_size = ? WHERE witness = ?", treeSize, witness) == 0) {
            db.update("INSERT INTO witness_state (witness, tree_size) VALUES (?, ?) ON CONFLICT DO NOTHING", witness,
                    treeSize);
        }
    }
}

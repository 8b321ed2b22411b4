package health.consent.sdk.verifier;

import health.consent.model.audit.Checkpoint;
import health.consent.model.audit.Merkle;
import health.consent.model.wire.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The offline verifier from the command line. Files hold the JSON the audit API answered.
 *
 * <pre>
 * java -cp client-sdk.jar:consent-model.jar health.consent.sdk.verifier.AuditVerifierCli checkpoint  --key KEY --checkpoint cp.json
 * ... inclusion   --key KEY --checkpoint cp.json --proof inclusion.json [--record record.json]
 * ... consistency --key KEY --old old.json --new new.json --proof consistency.json
 * </pre>
 *
 * KEY is the base64 public key (or {@code @file} holding it). Prints {@code OK} or
 * {@code FAILED} with the reason; exits 0, 1 when verification fails, 2 on bad usage.
 */
public final class AuditVerifierCli {

    private AuditVerifierCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs one command; returns the exit code. */
    public static int run(String[] args, PrintStream out) {
        try {
            if (args.length < 1) {
                throw new IllegalArgumentException("a command is required: checkpoint, inclusion or consistency");
            }
            Map<String, String> options = options(args);
            AuditVerifier verifier = AuditVerifier.withPublicKey(value(options.get("key"), "key").trim());
            boolean ok;
            String what;
            switch (args[0]) {
                case "checkpoint" -> {
                    Checkpoint c = checkpoint(options, "checkpoint");
                    ok = verifier.verifyCheckpoint(c);
                    what = "checkpoint of " + c.treeSize() + " leaves signed by key " + c.keyId();
                }
                case "inclusion" -> {
                    Checkpoint c = checkpoint(options, "checkpoint");
                    Map<String, Object> proof = read(options, "proof");
                    long leaf = ((Number) proof.get("leafIndex")).longValue();
                    List<String> path = strings(proof.get("proof"));
                    if (options.containsKey("record")) {
                        ok = verifier.verifyRecord(c, read(options, "record"), leaf, path);
                        what = "the record, hashed again, is leaf " + leaf + " of the checkpoint's " + c.treeSize() + " leaves";
                    } else {
                        ok = verifier.verifyInclusion(c, leaf, Merkle.unhex(
                                (String) proof.get("leafHash")), path);
                        what = "leaf " + leaf + " is in the checkpoint's " + c.treeSize() + " leaves";
                    }
                }
                case "consistency" -> {
                    Checkpoint older = checkpoint(options, "old");
                    Checkpoint newer = checkpoint(options, "new");
                    ok = verifier.verifyConsistency(older, newer, strings(read(options, "proof").get("proof")));
                    what = "the log of " + older.treeSize() + " leaves is a prefix of the log of " + newer.treeSize();
                }
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
            out.println((ok ? "OK: " : "FAILED: not proven that ") + what);
            return ok ? 0 : 1;
        } catch (IllegalArgumentException | IOException | ClassCastException e) {
            out.println("usage: checkpoint|inclusion|consistency --key KEY ... (" + e.getMessage() + ")");
            return 2;
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs after the command");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static String value(String v, String name) throws IOException {
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v.startsWith("@") ? Files.readString(Path.of(v.substring(1))) : v;
    }

    private static Map<String, Object> read(Map<String, String> options, String name) throws IOException {
        String file = options.get(name);
        if (file == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return Json.object(Files.readString(Path.of(file)));
    }

    private static Checkpoint checkpoint(Map<String, String> options, String name) throws IOException {
        return AuditVerifier.checkpoint(read(options, name));
    }

    private static List<String> strings(Object list) {
        return ((List<?>) list).stream().map(String.class::cast).toList();
    }
}

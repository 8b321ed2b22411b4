package health.consent.sdk.verifier;

import health.consent.model.audit.Checkpoint;
import health.consent.model.wire.DecisionReceipt;
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
 * ... witness     --name NAME --log-key VKEY --state FILE --key-file FILE [--port 0]
 * ... cosigned    --note checkpoint.txt --log-key VKEY --witness-keys VKEY1,VKEY2 [--quorum N]
 * ... receipt     --jwk receipt-key.json --receipt receipt.jws   (a decision receipt or a consent receipt)
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
            if (args[0].equals("witness")) {
                return witness(options, out);
            }
            if (args[0].equals("receipt")) {
                return receipt(options, out);
            }
            if (args[0].equals("cosigned")) {
                List<String> witnesses = List.of(value(options.get("witness-keys"), "witness-keys").trim().split(","));
                int quorum = Integer.parseInt(options.getOrDefault("quorum", String.valueOf(witnesses.size())));
                boolean ok = AuditVerifier.verifyCosigned(Files.readString(Path.of(value(options.get("note"), "note"))),
                        value(options.get("log-key"), "log-key").trim(), witnesses, quorum);
                out.println((ok ? "OK: " : "FAILED: not proven that ") + "the checkpoint is signed by the log and "
                        + "cosigned by " + quorum + " of the " + witnesses.size() + " witnesses");
                return ok ? 0 : 1;
            }
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
            // NumberFormatException (a malformed --quorum or --port) is an IllegalArgumentException.
            out.println("usage: checkpoint|inclusion|consistency --key KEY ... (" + e.getMessage() + ")");
            return 2;
        }
    }

    /**
     * Checks a receipt offline: {@code receipt --jwk FILE --receipt FILE}, the JWK the service publishes
     * at {@code /api/v1/audit/receipt-key} and the compact JWS of a decision receipt (kept by an
     * application) or of a consent receipt (downloaded by a patient).
     */
    private static int receipt(Map<String, String> options, PrintStream out) throws IOException {
        String jwk = Files.readString(Path.of(value(options.get("jwk"), "jwk")));
        String jws = Files.readString(Path.of(value(options.get("receipt"), "receipt"))).trim();
        java.security.PublicKey key = DecisionReceipt.fromJwk(jwk);
        try {
            if ("consent-receipt+jwt".equals(health.consent.model.wire.Jws.type(jws))) {
                Map<String, Object> r = health.consent.model.wire.Jws.verify(jws, "consent-receipt+jwt", key);
                Map<?, ?> purpose = (Map<?, ?>) ((List<?>) r.get("purposes")).get(0);
                out.println("OK: consent receipt " + r.get("receiptId") + ": " + r.get("state") + " for "
                        + purpose.get("purpose") + " (notice version " + purpose.get("noticeVersion") + ", sha-256 "
                        + purpose.get("noticeSha256") + "), application " + ((Map<?, ?>) r.get("controller"))
                        .get("applicationId") + ", patient " + r.get("piiPrincipalId") + ", at " + r.get("consentTimestamp")
                        + ", leaf " + r.get("leafIndex") + " of " + r.get("logOrigin"));
                return 0;
            }
            DecisionReceipt r = DecisionReceipt.verify(jws, key);
            out.println("OK: the service answered " + r.decision() + " (" + r.reason() + ", version " + r.version()
                    + ") to application " + r.app() + " about patient " + r.patient() + " for " + r.purpose() + " at "
                    + java.time.Instant.ofEpochSecond(r.iat()));
            return 0;
        } catch (IllegalArgumentException e) {
            out.println("FAILED: not proven that the service signed this receipt: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Runs a witness until the process ends: {@code witness --name NAME --log-key VKEY --state FILE
     * --key-file FILE [--port 0] [--host 127.0.0.1]}. The key file holds the witness's Ed25519 private
     * key (base64 PKCS#8); it is made when missing. Prints the witness's verifier key and its port.
     */
    private static int witness(Map<String, String> options, PrintStream out) throws IOException {
        Path keyFile = Path.of(value(options.get("key-file"), "key-file"));
        java.security.KeyPair pair;
        try {
            java.security.KeyFactory factory = java.security.KeyFactory.getInstance("Ed25519");
            if (Files.exists(keyFile)) {
                java.security.PrivateKey key = factory.generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(
                        java.util.Base64.getDecoder().decode(Files.readString(keyFile).trim())));
                pair = new java.security.KeyPair(publicOf(key), key);
            } else {
                pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                Files.writeString(keyFile, java.util.Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("the key file does not hold an Ed25519 private key");
        }
        Witness witness = new Witness(value(options.get("name"), "name"), pair.getPrivate(), pair.getPublic(),
                List.of(health.consent.model.audit.SignedNote.VerifierKey.parse(value(options.get("log-key"), "log-key"))),
                Path.of(value(options.get("state"), "state")));
        int port = witness.start(new java.net.InetSocketAddress(options.getOrDefault("host", "127.0.0.1"),
                Integer.parseInt(options.getOrDefault("port", "0"))));
        out.println("witness " + witness.verifierKey() + " port " + port);
        out.flush();
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The public key of an Ed25519 private key: the JDK derives it from the key's seed. */
    private static java.security.PublicKey publicOf(java.security.PrivateKey key)
            throws java.security.GeneralSecurityException {
        byte[] seed = ((java.security.interfaces.EdECPrivateKey) key).getBytes().orElseThrow();
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(java.security.spec.NamedParameterSpec.ED25519, new java.security.SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        });
        return generator.generateKeyPair().getPublic();
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

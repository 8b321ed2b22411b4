package health.consent.service.audit;

import health.consent.service.outcome.Refusal;
import health.consent.service.web.ApiException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Produces;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The audit log as outsiders follow it (c2sp.org/tlog-tiles): the latest checkpoint as a signed
 * note, and the tree's hashes as tiles. Public, and free of personal data: leaves are salted
 * hashes, and entries themselves are not served here.
 */
@Controller("/log")
@Secured(SecurityRule.IS_ANONYMOUS)
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "Transparency log")
public class LogController {

    static final String TEXT = "text/plain; charset=utf-8";
    /** Tile levels hold 256^level leaves per hash; level 7 already covers 2^64 leaves. */
    static final int MAX_LEVEL = 7;
    private static final Pattern LEVEL = Pattern.compile("0|[1-9][0-9]?");
    private static final Pattern INDEX = Pattern.compile("((?:x[0-9]{3}/)*)([0-9]{3})(?:\\.p/([1-9][0-9]{0,2}))?");

    private final AuditLog log;
    private final MerkleStore tree;
    private final AuditSigner signer;
    private final Witnesses witnesses;

    public LogController(AuditLog log, MerkleStore tree, AuditSigner signer, Witnesses witnesses) {
        this.log = log;
        this.tree = tree;
        this.signer = signer;
        this.witnesses = witnesses;
    }

    @Operation(summary = "The latest checkpoint, as a C2SP signed note with the witnesses' cosignatures (anyone)")
    @Get("/checkpoint")
    @Produces(TEXT)
    public HttpResponse<String> checkpoint() {
        CheckpointRepository.Published latest = log.latestPublished();
        StringBuilder note = new StringBuilder(latest.note().format());
        witnesses.cosignatures(latest.checkpoint().treeSize()).forEach(note::append);
        return HttpResponse.ok(note.toString()).contentType(TEXT)
                .header("Cache-Control", "public, max-age=5");
    }

    @Operation(summary = "The log's note verifier key: name+id+base64 key (anyone)")
    @Get("/key")
    @Produces(TEXT)
    public HttpResponse<String> key() {
        return HttpResponse.ok(signer.verifierKey() + "\n").contentType(TEXT);
    }

    @Operation(summary = "The witnesses' cosignature verifier keys, one a line (anyone)")
    @Get("/witnesses")
    @Produces(TEXT)
    public HttpResponse<String> witnesses() {
        StringBuilder keys = new StringBuilder();
        witnesses.verifierKeys().forEach(k -> keys.append(k).append('\n'));
        return HttpResponse.ok(keys.toString()).contentType(TEXT);
    }

    @Operation(summary = "A hash tile of the tree, c2sp.org/tlog-tiles: tile/<L>/<N>[.p/<W>] (anyone)")
    @Get("/tile/{level}/{+index}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public HttpResponse<byte[]> tile(@PathVariable String level, @PathVariable String index) {
        Tile t = parse(level, index);
        byte[] hashes = tree.tile(t.level(), t.index(), t.width());
        if (hashes == null) {
            throw ApiException.of(Refusal.notFound("the log does not hold tile " + level + "/" + index + " yet"));
        }
        // A tile, full or partial, never changes once the log holds it.
        return HttpResponse.ok(hashes).contentType(MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header("Cache-Control", "public, max-age=31536000, immutable");
    }

    /** A tile's coordinates: level, index, and width (256 for a full tile). */
    record Tile(int level, long index, int width) {
    }

    /** Reads {@code <L>} and {@code <N>[.p/<W>]} as the specification writes them, and only so. */
    static Tile parse(String level, String index) {
        Matcher l = LEVEL.matcher(level);
        if (!l.matches() || Integer.parseInt(level) > MAX_LEVEL) {
            throw ApiException.invalid("level", "must be a tile level from 0 to " + MAX_LEVEL);
        }
        Matcher m = INDEX.matcher(index);
        if (index.length() > 40 || !m.matches()) {
            throw ApiException.invalid("index", "must be a tile index such as 000, x001/234 or x001/234.p/17");
        }
        long n = 0;
        for (String group : m.group(1).split("/")) {
            if (!group.isEmpty()) {
                n = n * 1000 + Integer.parseInt(group.substring(1));
            }
        }
        n = n * 1000 + Integer.parseInt(m.group(2));
        if (!path(n).equals(index.replaceAll("\\.p/.*$", ""))) {
            throw ApiException.invalid("index", "must be written without leading zero groups");
        }
        int width = m.group(3) == null ? 256 : Integer.parseInt(m.group(3));
        if (m.group(3) != null && width > 255) {
            throw ApiException.invalid("index", "a partial tile holds 1 to 255 hashes");
        }
        return new Tile(Integer.parseInt(level), n, width);
    }

    /** A tile index as the specification writes it: groups of three digits, all but the last prefixed with x. */
    static String path(long n) {
        StringBuilder s = new StringBuilder(String.format("%03d", n % 1000));
        for (n /= 1000; n > 0; n /= 1000) {
            s.insert(0, String.format("x%03d/", n % 1000));
        }
        return s.toString();
    }
}

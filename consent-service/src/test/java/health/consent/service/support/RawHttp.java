package health.consent.service.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Requests written and answers read by hand on a socket: for what a client library would hide (pipelining). */
public final class RawHttp {

    private RawHttp() {
    }

    /** A GET with a bearer token, as one HTTP/1.1 request. */
    public static String get(String path, String token) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token + "\r\n\r\n";
    }

    /** One HTTP/1.1 response from the stream, its headers and body (by length, or chunked). */
    public static String response(InputStream in) throws IOException {
        String head = line(in);
        long length = -1;
        boolean chunked = false;
        StringBuilder all = new StringBuilder(head).append('\n');
        for (String h; !(h = line(in)).isEmpty(); ) {
            all.append(h).append('\n');
            String lower = h.toLowerCase();
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (int size; (size = Integer.parseInt(line(in).trim(), 16)) > 0; ) {
                all.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                line(in);
            }
            line(in);
        } else if (length > 0) {
            all.append(new String(in.readNBytes((int) length), StandardCharsets.UTF_8));
        }
        return all.toString();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("the connection closed");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** A gzip-compressed body, decompressed as UTF-8 text. */
    public static String gunzip(byte[] body) throws IOException {
        try (InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

package health.consent.service.web;

import io.micronaut.context.event.BeanCreatedEvent;
import health.consent.service.db.DatabaseUnavailableException;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.json.JsonMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.compression.Brotli;
import io.netty.handler.codec.compression.Zstd;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few hot requests answered where the connection is read, before the framework's request
 * pipeline (routing, filters, reactive plumbing), which costs most of their CPU: the change feed's
 * long poll ({@code ChangesRequests}) and a patient's consent change ({@code ConsentChangeRequests}).
 *
 * <p>Each {@link Route} judges a request by its line and headers, then by its whole body, and
 * takes it only in the usual case (a token the framework has already fully validated, nothing
 * unusual in the request); everything else, and any doubt, goes on to the framework, which stays
 * the only judge of tokens. A route acts (writes, waits) only once it has taken a request, so a
 * request it passes on is carried out once, by the framework. A connection never has an answer
 * from here and one from the framework outstanding at once, so answers keep their order; while
 * a taken request waits, what arrives behind it is held, and read once it is answered.
 */
@Singleton
public class ConnectionAnswers implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    private static final String HANDLER = "consent-connection-answers";
    /**
     * Messages held while a taken request waits (once one is held, no more is read from the
     * connection until it is answered: this bounds what one read brought); beyond, the connection
     * is closed.
     */
    static final int MAX_HELD = 1_024;
    /** Answers from this size are compressed for a client that takes gzip, as the framework does. */
    public static final int COMPRESS_FROM = 1_024;
    /** The media type of a problem document, for answers made here. */
    public static final AsciiString PROBLEM_JSON = AsciiString.of(Problem.MEDIA_TYPE);
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    /** The headers every answer under {@code /api/} carries, as the framework's filter adds them. */
    private static final List<AsciiString[]> API_HEADERS = SecurityHeaders.forApi().entrySet().stream()
            .map(h -> new AsciiString[] {AsciiString.of(h.getKey()), AsciiString.of(h.getValue())}).toList();

    /** A kind of request answered here. */
    public interface Route {

        /**
         * What to do with the request once its body has arrived, judged on its line and headers
         * alone and without acting; null for the framework's to answer.
         */
        Taking judge(HttpRequest request);
    }

    /**
     * A request a route may take once its body, of at most {@code maxBody} bytes (a larger one is
     * the framework's), has arrived: {@code take} takes it with its whole body and returns the
     * answer to come, or returns null, having done nothing, for the framework's to answer.
     */
    public record Taking(int maxBody, Function<byte[], Taken<?>> take) {
    }

    /**
     * A request taken: what it waits for, and how its answer is made, on the connection's event
     * loop, once that completes. If the connection closes first, {@code cancelOnClose} cancels the
     * wait (and no answer is made); otherwise the answer is made all the same (counted, its
     * failure logged) and dropped.
     */
    public record Taken<T>(CompletableFuture<T> waitingFor, Answer<T> answer, boolean cancelOnClose) {
    }

    /** The answer to a taken request, from what it waited for (the value, or the failure). */
    public interface Answer<T> {
        FullHttpResponse answer(T value, Throwable failure) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionAnswers.class);

    private final List<Route> routes;
    private final JsonMapper json;
    /** The 500 problem, made once: the answer when making an answer failed must not fail itself. */
    private final byte[] serverError;

    public ConnectionAnswers(List<Route> routes, JsonMapper json) throws IOException {
        this.routes = List.copyOf(routes);
        this.json = json;
        this.serverError = serverErrorBody(json);
    }

    /**
     * The framework's answer to what a taken request waited for failing: 503 with {@code
     * Retry-After} when the database failed ({@link UnavailableHandler}), else 500 with a problem
     * that says nothing of the failure, which is logged.
     */
    public static FullHttpResponse failed(Throwable failure, JsonMapper json) throws IOException {
        Throwable cause = cause(failure);
        if (cause instanceof DatabaseUnavailableException unavailable) {
            FullHttpResponse response = response(HttpResponseStatus.SERVICE_UNAVAILABLE, PROBLEM_JSON,
                    json.writeValueAsBytes(UnavailableHandler.problem(unavailable)), false);
            response.headers().set(HttpHeaderNames.RETRY_AFTER, UnavailableHandler.RETRY_AFTER_SECONDS);
            return response;
        }
        LOG.error("Unexpected error answering a request where the connection is read", cause);
        return serverError(serverErrorBody(json));
    }

    /** The framework's problem for an unexpected failure, which says nothing of it. */
    private static byte[] serverErrorBody(JsonMapper json) throws IOException {
        return json.writeValueAsBytes(ProblemResponseProcessor.serverError(HttpStatus.INTERNAL_SERVER_ERROR));
    }

    private static FullHttpResponse serverError(byte[] body) {
        return response(HttpResponseStatus.INTERNAL_SERVER_ERROR, PROBLEM_JSON, body, false);
    }

    /** The failure itself, out of the {@link CompletionException} that may carry it. */
    public static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        if (!routes.isEmpty()) {
            event.getBean().register(new Customizer(null));
        }
        return event.getBean();
    }

    /**
     * An answer with the headers the framework's would have: {@code Date}, the content's type and
     * length, the security headers of the API; compressed from {@link #COMPRESS_FROM} bytes when
     * {@code gzip} (the client takes it) and the body is not compressed already.
     */
    public static FullHttpResponse response(HttpResponseStatus status, CharSequence contentType, byte[] body,
                                            boolean compressed) {
        // Every header is a constant or made here: not validated again for each answer.
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body), HEADERS, HEADERS);
        HttpHeaders headers = response.headers()
                .set(HttpHeaderNames.DATE, Now.header())
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (compressed) {
            headers.set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        }
        for (AsciiString[] h : API_HEADERS) {
            headers.set(h[0], h[1]);
        }
        return response;
    }

    /**
     * Whether the client takes a gzip-compressed answer, for a {@link #plain} request: as the
     * framework chooses (gzip when the header names it, and no coding the framework would prefer).
     */
    public static boolean takesGzip(HttpRequest request) {
        return Boolean.TRUE.equals(gzip(request.headers().get(HttpHeaderNames.ACCEPT_ENCODING)));
    }

    /**
     * The framework's choice for an {@code Accept-Encoding} when this handler can tell it: gzip
     * (TRUE) when a coding names it, none (FALSE) when no coding the framework compresses with is
     * named; null, for the framework to negotiate, when the header has weights or a wildcard, or
     * names a coding the framework may prefer to gzip (snappy; brotli or zstd when their libraries
     * are present) or choose without gzip (deflate). Codings are read as the framework reads them:
     * each comma-separated part, case-sensitive, by what it contains.
     */
    static Boolean gzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return Boolean.FALSE;
        }
        boolean gzip = false;
        boolean deflate = false;
        for (String coding : acceptEncoding.split(",")) {
            if (coding.indexOf('=') >= 0 || coding.contains("*") || coding.contains("snappy")
                    || (coding.contains("br") && Brotli.isAvailable())
                    || (coding.contains("zstd") && Zstd.isAvailable())) {
                return null;
            }
            gzip |= coding.contains("gzip");
            deflate |= coding.contains("deflate");
        }
        return gzip ? Boolean.TRUE : deflate ? null : Boolean.FALSE;
    }

    /**
     * Whether an answer of {@code length} bytes is compressed, as the framework compresses it, for a
     * client that takes gzip.
     */
    public static boolean compresses(int length, boolean gzip) {
        return gzip && length >= COMPRESS_FROM;
    }

    /** An answer of {@link #response}, its body compressed when {@link #compresses} says so. */
    public static FullHttpResponse compressible(HttpResponseStatus status, CharSequence contentType, byte[] body,
                                                boolean gzip) throws IOException {
        boolean compressed = compresses(body.length, gzip);
        return response(status, contentType, compressed ? gzip(body) : body, compressed);
    }

    /**
     * Whether a character of an address may be read here as it is: a letter, a digit, {@code - _ .},
     * or one of {@code delimiters}. Anything else (an escape, a space, a fragment) is the framework's
     * to judge.
     */
    public static boolean plainChar(char c, String delimiters) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                || c == '.' || delimiters.indexOf(c) >= 0;
    }

    /** The body compressed, as the framework compresses an answer of {@link #COMPRESS_FROM} bytes or more. */
    public static byte[] gzip(byte[] body) throws IOException {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream(body.length / 4);
        try (GZIPOutputStream out = new GZIPOutputStream(zipped)) {
            out.write(body);
        }
        return zipped.toByteArray();
    }

    /**
     * Whether a request has what a route needs to consider it at all: decoded whole, HTTP/1.1 kept
     * alive, its body (if any) of a declared length and not encoded, no {@code Expect}; it accepts
     * JSON (no {@code Accept}, or one that names {@code application/json} or any type, with no
     * weights), and the answer's compression is one this handler can tell the framework would choose
     * (gzip or none: see {@link #gzip(String)}).
     * The framework negotiates anything else.
     */
    public static boolean plain(HttpRequest request) {
        HttpHeaders headers = request.headers();
        if (!request.decoderResult().isSuccess() || !HttpVersion.HTTP_1_1.equals(request.protocolVersion())
                || !HttpUtil.isKeepAlive(request) || headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
                || headers.contains(HttpHeaderNames.CONTENT_ENCODING) || headers.contains(HttpHeaderNames.EXPECT)) {
            return false;
        }
        List<String> encodings = headers.getAll(HttpHeaderNames.ACCEPT_ENCODING);
        if (encodings.size() > 1 || (encodings.size() == 1 && gzip(encodings.get(0)) == null)) {
            return false;
        }
        List<String> accepts = headers.getAll(HttpHeaderNames.ACCEPT);
        if (accepts.isEmpty()) {
            return true;
        }
        if (accepts.size() != 1 || accepts.get(0).indexOf(';') >= 0) {
            return false;
        }
        for (String type : accepts.get(0).split(",")) {
            String t = type.trim().toLowerCase(Locale.ROOT);
            if (t.equals("application/json") || t.equals("*/*")) {
                return true;
            }
        }
        return false;
    }

    /** The {@code Date} header, formatted once a second rather than for every answer. */
    public static final class Now {
        private static volatile Now now = new Now(0, "");
        private final long second;
        private final AsciiString header;

        private Now(long second, String header) {
            this.second = second;
            this.header = AsciiString.of(header);
        }

        public static AsciiString header() {
            long second = System.currentTimeMillis() / 1_000;
            Now current = now;
            if (current.second != second) {
                current = new Now(second, DateFormatter.format(new Date(second * 1_000)));
                now = current;
            }
            return current.header;
        }
    }

    /** Adds the handler to each HTTP/1.1 connection, just before the framework's. */
    private final class Customizer implements NettyServerCustomizer {

        private final Channel channel;

        Customizer(Channel channel) {
            this.channel = channel;
        }

        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            return role == ChannelRole.CONNECTION ? new Customizer(channel) : this;
        }

        @Override
        public void onStreamPipelineBuilt() {
            if (channel == null) {
                return;
            }
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null
                    && pipeline.get(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND) != null
                    && pipeline.get(HANDLER) == null) {
                pipeline.addBefore(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND, HANDLER, new Connection());
            }
        }
    }

    /**
     * One connection's handler. All its state is touched on the connection's event loop only.
     */
    private final class Connection extends ChannelDuplexHandler {

        /** Requests handed to the framework and not yet answered in full. */
        private int framework;
        /** The request a route is considering and the parts of it read so far, until its last. */
        private List<Object> reading;
        private Taking readingFor;
        private int bodyBytes;
        private final ArrayDeque<Object> held = new ArrayDeque<>();
        /**
         * The framework asked for more to read while a taken request waited with messages held
         * behind it: asked again once it is answered. (With nothing held, reading goes on, so that
         * a closed connection is noticed while a request waits.)
         */
        private boolean readWanted;
        /**
         * What a request taken here waits for; while there is one, what arrives is held, in order.
         */
        private Taken<?> waitingFor;

        private boolean waiting() {
            return waitingFor != null;
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            if (waiting() && !held.isEmpty()) {
                readWanted = true;
                return;
            }
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (waiting()) {
                held.add(msg);
                if (held.size() > MAX_HELD) {
                    ctx.close();
                }
                return;
            }
            read(ctx, msg);
        }

        private void read(ChannelHandlerContext ctx, Object msg) {
            if (reading != null) {
                readPart(ctx, msg);
                return;
            }
            if (msg instanceof HttpRequest request) {
                Taking taking = framework == 0 ? judgeOrNull(request) : null;
                if (taking == null) {
                    framework++;
                    ctx.fireChannelRead(msg);
                    return;
                }
                reading = new ArrayList<>(2);
                readingFor = taking;
                bodyBytes = 0;
                readPart(ctx, msg);
                return;
            }
            ctx.fireChannelRead(msg);
        }

        private Taking judgeOrNull(HttpRequest request) {
            for (Route route : routes) {
                try {
                    Taking taking = route.judge(request);
                    if (taking != null) {
                        return taking;
                    }
                } catch (RuntimeException e) {
                    // A request a route cannot read (a malformed address): the framework's to refuse.
                    return null;
                }
            }
            return null;
        }

        /** A part of the request a route is considering: once it is all there, taken or passed on. */
        private void readPart(ChannelHandlerContext ctx, Object msg) {
            reading.add(msg);
            if (msg instanceof HttpContent content) {
                bodyBytes += content.content().readableBytes();
                if (!content.decoderResult().isSuccess() || bodyBytes > readingFor.maxBody()) {
                    passOn(ctx);
                    return;
                }
            }
            if (msg instanceof LastHttpContent) {
                List<Object> parts = reading;
                Taken<?> taken;
                try {
                    taken = readingFor.take().apply(body(parts));
                } catch (RuntimeException e) {
                    // The route may have acted on it: the request is answered here (503 or 500), not passed on.
                    taken = new Taken<>(CompletableFuture.failedFuture(e), (v, f) -> failed(f, json), false);
                }
                if (taken == null) {
                    passOn(ctx);
                    return;
                }
                reading = null;
                readingFor = null;
                parts.forEach(ReferenceCountUtil::release);
                wait(ctx, taken);
            }
        }

        /** The request being read goes on to the framework, with what is left of it to come. */
        private void passOn(ChannelHandlerContext ctx) {
            List<Object> parts = reading;
            reading = null;
            readingFor = null;
            framework++;
            parts.forEach(ctx::fireChannelRead);
        }

        private byte[] body(List<Object> parts) {
            byte[] body = new byte[bodyBytes];
            int at = 0;
            for (Object part : parts) {
                if (part instanceof HttpContent content) {
                    ByteBuf buf = content.content();
                    int n = buf.readableBytes();
                    buf.getBytes(buf.readerIndex(), body, at, n);
                    at += n;
                }
            }
            return body;
        }

        private <T> void wait(ChannelHandlerContext ctx, Taken<T> taken) {
            waitingFor = taken;
            taken.waitingFor().whenComplete((value, failure) -> {
                try {
                    ctx.executor().execute(() -> answer(ctx, taken, value, failure));
                } catch (RejectedExecutionException stopping) {
                    // The connection's loop is stopping: the answer is made all the same, and dropped.
                    if (!taken.cancelOnClose()) {
                        ReferenceCountUtil.release(make(taken, value, failure));
                    }
                }
            });
        }

        /** The route's answer, or the framework's 500 when making it fails. */
        private <T> FullHttpResponse make(Taken<T> taken, T value, Throwable failure) {
            try {
                return taken.answer().answer(value, failure);
            } catch (IOException | RuntimeException e) {
                LOG.error("An answer made where the connection is read failed", e);
                return serverError(serverError);
            }
        }

        private <T> void answer(ChannelHandlerContext ctx, Taken<T> taken, T value, Throwable failure) {
            waitingFor = null;
            if (!ctx.channel().isActive()) {
                if (!taken.cancelOnClose()) {
                    ReferenceCountUtil.release(make(taken, value, failure));
                }
                return;
            }
            ctx.writeAndFlush(make(taken, value, failure));
            if (!held.isEmpty()) {
                for (Object next; !waiting() && (next = held.poll()) != null; ) {
                    read(ctx, next);
                }
                // What was held is read now: the framework acts on a read when it completes.
                ctx.fireChannelReadComplete();
            }
            if (readWanted && !waiting()) {
                readWanted = false;
                ctx.read();
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            // The framework's answers pass here on their way out: the end of one is a request done.
            if (framework > 0 && msg instanceof LastHttpContent
                    && !(msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL)) {
                framework--;
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
            if (reading != null) {
                reading.forEach(ReferenceCountUtil::release);
                reading = null;
            }
            if (waitingFor != null && waitingFor.cancelOnClose()) {
                // Nobody is left to answer: what the request waited for may stop waiting.
                waitingFor.waitingFor().cancel(false);
            }
            super.channelInactive(ctx);
        }
    }
}

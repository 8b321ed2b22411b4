package health.consent.service.feed;

import health.consent.model.ApplicationId;
import health.consent.model.wire.FeedPage;
import health.consent.service.security.Roles;
import health.consent.service.security.ValidatedTokens;
import health.consent.service.web.SecurityHeaders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.json.JsonMapper;
import io.micronaut.security.authentication.Authentication;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * The change feed's long poll answered where the connection is read, before the framework's
 * request pipeline (routing, filters, reactive plumbing), which costs most of a poll's CPU: with
 * ten thousand connected instances a change is a hundred answers and a hundred new polls.
 *
 * <p>Only the hot case is answered here: {@code GET /api/v1/changes?after=N[&wait=S]}, HTTP/1.1 kept
 * alive, no body, with a bearer token the framework has already fully validated (and not expired)
 * for the APPLICATION role, answered from memory by {@link ChangeFeed#pollFromMemory}. Everything
 * else (a new or unknown token, another role, a bad parameter, a position memory does not hold,
 * an application at its allowed number of waits, any other request) goes on to the framework,
 * which stays the only judge of tokens and the only author of errors. A connection never has an
 * answer from here and one from the framework outstanding at once, so answers keep their order.
 * {@code consent.feed.fast-path: false} ({@code CONSENT_FEED_FAST_PATH=false}) turns this off.
 */
@Singleton
@Requires(property = "consent.feed.fast-path", notEquals = "false")
public class ChangesRequests implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    static final String PATH = "/api/v1/changes";
    private static final String HANDLER = "consent-feed-long-polls";
    /**
     * Messages held while a poll waits (once one is held, no more is read from the connection
     * until the poll is answered: this bounds what one read brought); beyond, the connection is closed.
     */
    private static final int MAX_HELD = 1_024;
    /** Answers from this size are compressed for a client that takes gzip, as the framework does. */
    private static final int COMPRESS_FROM = 1_024;
    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    /** The headers every answer under {@code /api/} carries, as the framework's filter adds them. */
    private static final List<AsciiString[]> API_HEADERS = SecurityHeaders.forApi().entrySet().stream()
            .map(h -> new AsciiString[] {AsciiString.of(h.getKey()), AsciiString.of(h.getValue())}).toList();

    private final ChangeFeed feed;
    private final ValidatedTokens tokens;
    private final JsonMapper json;
    private final Counter answered;
    private final Timer requests;
    private final ThreadLocal<Encoded> encoded = ThreadLocal.withInitial(Encoded::new);

    public ChangesRequests(ChangeFeed feed, ValidatedTokens tokens, JsonMapper json, MeterRegistry meters) {
        this.feed = feed;
        this.tokens = tokens;
        this.json = json;
        this.answered = Counter.builder("consent.feed.connection.answers")
                .description("Long polls of the change feed answered where the connection is read, before the "
                        + "framework's request pipeline").register(meters);
        // Counted with the framework's own requests, under the same name and tags.
        this.requests = Timer.builder("http.server.requests").tags("exception", "none", "method", "GET",
                "status", "200", "uri", PATH).register(meters);
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new Customizer(null));
        return event.getBean();
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
                pipeline.addBefore(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND, HANDLER, new LongPolls());
            }
        }
    }

    /** A poll this handler answers. */
    private record Poll(ApplicationId application, long after, int waitSeconds, boolean gzip) {
    }

    /**
     * The poll a request asks for, when this handler may answer it; null for the framework. Any
     * doubt about the request is the framework's to judge.
     */
    Poll parse(HttpRequest request) {
        if (!request.decoderResult().isSuccess() || !HttpMethod.GET.equals(request.method())
                || !HttpVersion.HTTP_1_1.equals(request.protocolVersion())
                || !request.uri().startsWith(PATH + "?") || !HttpUtil.isKeepAlive(request)
                || HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) != 0
                || request.headers().contains(HttpHeaderNames.EXPECT)) {
            return null;
        }
        for (int i = 0; i < request.uri().length(); i++) {
            char c = request.uri().charAt(i);
            // A fragment, a space or anything unusual: the framework judges the address.
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '/' || c == '?' || c == '=' || c == '&' || c == '-' || c == '_' || c == '.')) {
                return null;
            }
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        if (!uri.path().equals(PATH)) {
            return null;
        }
        Long after = null;
        int wait = 0;
        for (Map.Entry<String, List<String>> p : uri.parameters().entrySet()) {
            if (p.getValue().size() != 1) {
                return null;
            }
            String value = p.getValue().get(0);
            switch (p.getKey()) {
                case "after" -> after = number(value, Long.MAX_VALUE);
                case "wait" -> {
                    Long w = number(value, ChangesController.MAX_WAIT_SECONDS);
                    if (w == null) {
                        return null;
                    }
                    wait = w.intValue();
                }
                default -> {
                    return null;
                }
            }
        }
        if (after == null) {
            return null;
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        Authentication caller = tokens.known(authorization.substring(7).trim());
        if (caller == null || !caller.getRoles().contains(Roles.APPLICATION)
                || !ApplicationId.isValid(caller.getName())) {
            return null;
        }
        String accepted = request.headers().get(HttpHeaderNames.ACCEPT_ENCODING);
        return new Poll(ApplicationId.of(caller.getName()), after, wait,
                accepted != null && accepted.toLowerCase(Locale.ROOT).contains("gzip"));
    }

    /** As {@link #parse}, and null for a request it cannot read (a malformed query): the framework's to refuse. */
    private Poll parseOrNull(HttpRequest request) {
        try {
            return parse(request);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A decimal number from 0 to {@code most}, or null. */
    private static Long number(String value, long most) {
        if (value.isEmpty() || value.length() > 18) {
            return null;
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            n = n * 10 + (c - '0');
        }
        return n <= most ? n : null;
    }

    private FullHttpResponse response(FeedPage page, boolean gzip) throws IOException {
        Encoded body = encode(page, gzip);
        // Every header is a constant or made here: not validated again for each answer.
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(body.bytes), HEADERS, HEADERS);
        HttpHeaders headers = response.headers()
                .set(HttpHeaderNames.DATE, Now.header())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.bytes.length);
        if (body.compressed) {
            headers.set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
        }
        for (AsciiString[] h : API_HEADERS) {
            headers.set(h[0], h[1]);
        }
        return response;
    }

    /**
     * The page's body as sent: the JSON, compressed from {@link #COMPRESS_FROM} bytes for a client
     * that takes gzip. The waiters of an application are handed the same page, and answered one
     * after another: the last page each thread encoded is kept (the thread's own holder is
     * returned), and its bytes, never written to, serve every answer of that page.
     */
    Encoded encode(FeedPage page, boolean gzip) throws IOException {
        Encoded last = encoded.get();
        if (last.page == page && last.gzip == gzip) {
            return last;
        }
        byte[] body = json.writeValueAsBytes(page);
        boolean compressed = gzip && body.length >= COMPRESS_FROM;
        if (compressed) {
            ByteArrayOutputStream zipped = new ByteArrayOutputStream(body.length / 4);
            try (GZIPOutputStream out = new GZIPOutputStream(zipped)) {
                out.write(body);
            }
            body = zipped.toByteArray();
        }
        last.page = page;
        last.gzip = gzip;
        last.compressed = compressed;
        last.bytes = body;
        return last;
    }

    /** The last page a thread encoded, as {@link #encode}. */
    static final class Encoded {
        FeedPage page;
        boolean gzip;
        boolean compressed;
        byte[] bytes;
    }

    /** The {@code Date} header, formatted once a second rather than for every answer. */
    static final class Now {
        private static volatile Now now = new Now(0, "");
        private final long second;
        private final AsciiString header;

        private Now(long second, String header) {
            this.second = second;
            this.header = AsciiString.of(header);
        }

        static AsciiString header() {
            long second = System.currentTimeMillis() / 1_000;
            Now current = now;
            if (current.second != second) {
                current = new Now(second, DateFormatter.format(new Date(second * 1_000)));
                now = current;
            }
            return current.header;
        }
    }

    /**
     * One connection's handler. All its state is touched on the connection's event loop only.
     */
    private final class LongPolls extends ChannelDuplexHandler {

        /** Requests handed to the framework and not yet answered in full. */
        private int framework;
        /** The rest of a request this handler took (its empty last content) is dropped. */
        private boolean dropping;
        private final ArrayDeque<Object> held = new ArrayDeque<>();
        /**
         * The framework asked for more to read while a poll waited with requests held behind it:
         * asked again once it is answered. (With nothing held, reading goes on, so that a closed
         * connection is noticed while its poll waits.)
         */
        private boolean readWanted;
        /**
         * The answer a poll taken here waits for; while there is one, what arrives is held, in order.
         */
        private CompletableFuture<FeedPage> waitingFor;

        private boolean polling() {
            return waitingFor != null;
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            if (polling() && !held.isEmpty()) {
                readWanted = true;
                return;
            }
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (polling() && !dropping) {
                held.add(msg);
                if (held.size() > MAX_HELD) {
                    ctx.close();
                }
                return;
            }
            read(ctx, msg);
        }

        private void read(ChannelHandlerContext ctx, Object msg) {
            if (dropping) {
                dropping = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request) {
                CompletableFuture<FeedPage> page = null;
                Poll poll = null;
                if (framework == 0) {
                    poll = parseOrNull(request);
                    page = poll == null ? null : fromMemoryOrNull(poll);
                }
                if (page == null) {
                    framework++;
                    ctx.fireChannelRead(msg);
                    return;
                }
                dropping = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                waitingFor = page;
                long start = System.nanoTime();
                boolean gzip = poll.gzip();
                page.whenComplete((p, failure) -> ctx.executor().execute(() -> answer(ctx, p, failure, gzip, start)));
                return;
            }
            ctx.fireChannelRead(msg);
        }

        private CompletableFuture<FeedPage> fromMemoryOrNull(Poll poll) {
            try {
                return feed.pollFromMemory(poll.application(), poll.after(), poll.waitSeconds());
            } catch (RuntimeException e) {
                return null;
            }
        }

        private void answer(ChannelHandlerContext ctx, FeedPage page, Throwable failure, boolean gzip, long start) {
            waitingFor = null;
            if (!ctx.channel().isActive()) {
                return;
            }
            try {
                if (failure != null) {
                    throw new IOException(failure);
                }
                FullHttpResponse response = response(page, gzip);
                // Counted before it is sent: whoever reads the metrics after the answer sees it counted.
                answered.increment();
                requests.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                ctx.writeAndFlush(response);
            } catch (IOException | RuntimeException e) {
                ctx.close();
                return;
            }
            if (!held.isEmpty()) {
                for (Object next; !polling() && (next = held.poll()) != null; ) {
                    read(ctx, next);
                }
                // What was held is read now: the framework acts on a read when it completes.
                ctx.fireChannelReadComplete();
            }
            if (readWanted && !polling()) {
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
            if (waitingFor != null) {
                // Nobody is left to answer: the wait stops counting against the application's allowance.
                waitingFor.cancel(false);
            }
            super.channelInactive(ctx);
        }
    }
}

package dev.navis.client.rest;

import dev.navis.client.ApiException;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.util.Clock;
import dev.navis.client.util.TokenBucket;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.Destination;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;

/**
 * Sends requests to the API server: authentication headers, client-side rate limiting (token bucket of the
 * config's QPS/burst), retries per {@link RetryPolicy}, and failure statuses as {@link ApiException}. With
 * several servers in the config, a server that cannot be reached is left for the next one; the request is
 * sent again there when that is safe (it never reached the failed server, or it only reads).
 * Jetty's HTTP client carries them: HTTP/2 (negotiated by ALPN) multiplexes every request of a process on
 * a few connections, as client-go does; plain http uses HTTP/1.1.
 */
public final class HttpTransport {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** Lists of tens of thousands of objects are tens of MiB; the API server caps nothing below this. */
    private static final int MAX_RESPONSE_BYTES = Integer.MAX_VALUE - 8;

    private final ClientConfig config;
    private final ServerList servers;
    private final HttpClient http;
    private final TokenBucket limiter;
    private final java.util.Map<String, Destination> destinations = new java.util.concurrent.ConcurrentHashMap<>();
    private final RetryPolicy retry;
    private final Clock clock;

    public HttpTransport(ClientConfig config, RetryPolicy retry, Clock clock) {
        this.config = config;
        this.retry = retry;
        this.clock = clock;
        this.servers = new ServerList(config.servers());
        this.http = JettyClients.start(config, "navis-client");
        this.limiter = new TokenBucket(config.qps(), config.burst(), clock);
    }

    /** A request for {@code pathAndQuery} on the server with the auth headers set (and no timeout). */
    Request request(String method, String pathAndQuery) {
        Request r = http.newRequest(URI.create(stripSlash(servers.current().toString()) + pathAndQuery)).method(method);
        String token = config.bearerToken().get();
        String authorization = null;
        if (token != null && !token.isEmpty()) {
            authorization = "Bearer " + token;
        } else if (config.basicAuth() != null) {
            authorization = "Basic " + Base64.getEncoder().encodeToString(config.basicAuth().getBytes(StandardCharsets.UTF_8));
        }
        String auth = authorization;
        return r.headers(h -> {
            h.put(HttpHeader.ACCEPT, "application/json");
            h.put(HttpHeader.USER_AGENT, config.userAgent());
            if (auth != null) {
                h.put(HttpHeader.AUTHORIZATION, auth);
            }
        });
    }

    /**
     * The client's destination (connection pool) for the request's server, resolved once per server: Jetty's
     * {@code request.send} resolves it for every request, building an Origin (scheme, host, port, the transport's
     * protocols) and looking it up, which cost about 2% of the CPU of {@code bench controllers}. The client keeps
     * destinations (no destination idle timeout); a failed exchange drops the memo.
     */
    private Destination destination(Request r) {
        String key = r.getScheme() + "://" + r.getHost() + ":" + r.getPort();
        Destination d = destinations.get(key);
        if (d == null) {
            d = http.resolveDestination(r);
            destinations.put(key, d);
        }
        return d;
    }

    /** The request to {@code requestUri} could not reach its server: use the next server from now on. */
    void serverFailed(URI requestUri) {
        servers.failed(requestUri);
    }

    /** Sends with rate limiting and retries; returns the 2xx body, throws ApiException otherwise. */
    byte[] send(String method, String pathAndQuery, String contentType, byte[] body) {
        int attempt = 0;
        int failovers = 0;
        while (true) {
            Request r = request(method, pathAndQuery).timeout(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (body != null) {
                r.body(new BytesRequestContent(contentType, body));
            }
            ContentResponse resp;
            try {
                limiter.acquire();
                resp = new CompletableResponseListener(r, MAX_RESPONSE_BYTES).send(destination(r)).get();
            } catch (InterruptedException e) {
                r.abort(e);
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException(method + " " + pathAndQuery + " interrupted"));
            } catch (ExecutionException e) {
                destinations.clear(); // the next attempt resolves its server's destination afresh
                boolean timedOut = e.getCause() instanceof TimeoutException;
                Throwable cause = timedOut
                        ? new IOException("request timed out after " + REQUEST_TIMEOUT.toSeconds() + " s", e.getCause())
                        : e.getCause();
                // a slow answer is not a dead server; anything else that broke the exchange is
                if (servers.size() > 1 && !timedOut) {
                    servers.failed(r.getURI());
                    if (failovers < servers.size() - 1 && (notSent(cause) || method.equals("GET"))) {
                        failovers++;
                        continue;
                    }
                }
                throw new UncheckedIOException(method + " " + pathAndQuery + ": " + cause.getMessage(),
                        cause instanceof IOException io ? io : new IOException(cause));
            }
            int code = resp.getStatus();
            if (code >= 200 && code < 300) {
                return resp.getContent();
            }
            if (attempt < retry.maxRetries() && retry.retryable(method, code)) {
                attempt++;
                sleep(retry.delayNanos(resp.getHeaders().get(HttpHeader.RETRY_AFTER)));
                continue;
            }
            throw HttpStatuses.toException(code, resp.getContent());
        }
    }

    void acquireToken() {
        try {
            limiter.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while rate limited"));
        }
    }

    /** Stops the client: open requests and watches end at once. */
    void close() {
        try {
            http.stop();
        } catch (Exception e) {
            // stopping aborts what is in flight; nothing else to release
        }
    }

    private void sleep(long nanos) {
        try {
            clock.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while waiting to retry"));
        }
    }

    /** True when the request cannot have reached the server: the connection was never made. */
    private static boolean notSent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.nio.channels.UnresolvedAddressException
                    || t instanceof java.net.UnknownHostException) {
                return true;
            }
        }
        return false;
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    static ApiException failure(int code, byte[] body) {
        return HttpStatuses.toException(code, body);
    }
}

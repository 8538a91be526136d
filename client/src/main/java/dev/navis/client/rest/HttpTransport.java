package dev.navis.client.rest;

import dev.navis.client.ApiException;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.util.Clock;
import dev.navis.client.util.TokenBucket;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * Sends requests to the API server: authentication headers, client-side rate limiting (token bucket of the
 * config's QPS/burst), retries per {@link RetryPolicy}, and failure statuses as {@link ApiException}. With
 * several servers in the config, a server that cannot be reached is left for the next one; the request is
 * sent again there when that is safe (it never reached the failed server, or it only reads).
 */
public final class HttpTransport {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final ClientConfig config;
    private final HttpClient http;
    private final TokenBucket limiter;
    private final RetryPolicy retry;
    private final Clock clock;
    private final ServerList servers;

    public HttpTransport(ClientConfig config, RetryPolicy retry, Clock clock) {
        this.config = config;
        this.retry = retry;
        this.clock = clock;
        this.servers = new ServerList(config.servers());
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (config.sslContext() != null) {
            // HTTP/2 is negotiated by ALPN over TLS; over plain http an h2c upgrade attempt only costs
            b.version(HttpClient.Version.HTTP_2).sslContext(config.sslContext());
        } else {
            b.version(HttpClient.Version.HTTP_1_1);
        }
        this.http = b.build();
        this.limiter = new TokenBucket(config.qps(), config.burst(), clock);
    }

    HttpClient http() {
        return http;
    }

    /** A request builder with the server's URI for {@code pathAndQuery} and the auth headers set. */
    HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stripSlash(servers.current().toString()) + pathAndQuery))
                .header("Accept", "application/json")
                .header("User-Agent", config.userAgent());
        String token = config.bearerToken().get();
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        } else if (config.basicAuth() != null) {
            b.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(config.basicAuth().getBytes(StandardCharsets.UTF_8)));
        }
        return b;
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
            HttpRequest.Builder b = request(pathAndQuery).timeout(REQUEST_TIMEOUT);
            if (body != null) {
                b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<byte[]> resp;
            HttpRequest request = b.build();
            try {
                limiter.acquire();
                resp = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException(method + " " + pathAndQuery + " interrupted"));
            } catch (IOException e) {
                if (servers.size() > 1 && !(e instanceof HttpTimeoutException && !(e instanceof HttpConnectTimeoutException))) {
                    servers.failed(request.uri());
                    if (failovers < servers.size() - 1 && (notSent(e) || method.equals("GET"))) {
                        failovers++;
                        continue;
                    }
                }
                throw new UncheckedIOException(method + " " + pathAndQuery + ": " + e.getMessage(), e);
            }
            int code = resp.statusCode();
            if (code >= 200 && code < 300) {
                return resp.body();
            }
            if (attempt < retry.maxRetries() && retry.retryable(method, code)) {
                attempt++;
                sleep(retry.delayNanos(resp.headers().firstValue("Retry-After").orElse(null)));
                continue;
            }
            throw HttpStatuses.toException(code, resp.body());
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

    private void sleep(long nanos) {
        try {
            clock.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException("interrupted while waiting to retry"));
        }
    }

    /** True when the request cannot have reached the server: the connection was never made. */
    private static boolean notSent(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
                    || t instanceof java.nio.channels.UnresolvedAddressException) {
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

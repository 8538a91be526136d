package dev.navis.controllers.metrics;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Serves {@code GET /metrics} (Prometheus text of the work queue metrics) and {@code /healthz} for the
 * controller manager on a local address (upstream serves them on its secure port 10257; Navis serves plain
 * HTTP, meant for localhost).
 */
public final class ControllerMetricsServer implements AutoCloseable {

    private final HttpServer server;

    public ControllerMetricsServer(InetSocketAddress address, WorkQueuePrometheusMetrics metrics) throws IOException {
        server = HttpServer.create(address, 16);
        server.createContext("/metrics", exchange -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            metrics.write(out);
            exchange.getResponseHeaders().set("Content-Type", metrics.contentType());
            exchange.sendResponseHeaders(200, out.size());
            try (OutputStream body = exchange.getResponseBody()) {
                out.writeTo(body);
            }
        });
        server.createContext("/healthz", exchange -> {
            byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(ok);
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

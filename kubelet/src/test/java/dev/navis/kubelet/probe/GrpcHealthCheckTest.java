package dev.navis.kubelet.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The grpc probe against a cleartext HTTP/2 server answering grpc.health.v1.Health/Check like grpc-go. */
class GrpcHealthCheckTest {
    private Server server;
    private ServerConnector connector;
    private final AtomicInteger servingStatus = new AtomicInteger(1);
    private final AtomicReference<String> path = new AtomicReference<>();
    private final AtomicReference<byte[]> requestBody = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        connector = new ServerConnector(server, new HTTP2CServerConnectionFactory(new HttpConfiguration()));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                path.set(request.getHttpURI().getPath());
                ByteBuffer body = Content.Source.asByteBuffer(request);
                byte[] bytes = new byte[body.remaining()];
                body.get(bytes);
                requestBody.set(bytes);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/grpc");
                response.setTrailersSupplier(() -> HttpFields.build().put("grpc-status", "0"));
                byte[] message = {0, 0, 0, 0, 2, 0x08, (byte) servingStatus.get()};
                response.write(true, ByteBuffer.wrap(message), callback);
                return true;
            }
        });
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void servingIsSuccessAndAnythingElseIsFailure() {
        Prober.Result ok = GrpcHealthCheck.check("127.0.0.1", connector.getLocalPort(), "db", Duration.ofSeconds(10));
        assertThat(ok.success()).as(ok.output()).isTrue();
        assertThat(path.get()).isEqualTo("/grpc.health.v1.Health/Check");
        // HealthCheckRequest{service: "db"} behind the 5-byte gRPC prefix
        assertThat(requestBody.get()).containsExactly(0, 0, 0, 0, 4, 0x0a, 2, 'd', 'b');

        servingStatus.set(2);
        Prober.Result notServing = GrpcHealthCheck.check("127.0.0.1", connector.getLocalPort(), "", Duration.ofSeconds(10));
        assertThat(notServing.success()).isFalse();
        assertThat(notServing.output()).isEqualTo("service unhealthy (responded with \"NOT_SERVING\")");
    }

    @Test
    void nothingListeningIsFailure() throws Exception {
        int port = connector.getLocalPort();
        server.stop();
        Prober.Result r = GrpcHealthCheck.check("127.0.0.1", port, "", Duration.ofSeconds(2));
        assertThat(r.success()).isFalse();
        assertThat(r.output()).startsWith("timeout: failed to connect service \"127.0.0.1:" + port + "\"");
    }
}

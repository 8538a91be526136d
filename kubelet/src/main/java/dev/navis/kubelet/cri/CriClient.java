package dev.navis.kubelet.cri;

import dev.navis.kubelet.cri.v1.ImageServiceGrpc;
import dev.navis.kubelet.cri.v1.RuntimeServiceGrpc;
import dev.navis.kubelet.cri.v1.VersionRequest;
import dev.navis.kubelet.cri.v1.VersionResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gRPC connection to a CRI runtime ({@code runtime.v1}) on a unix socket: the runtime and image
 * services as blocking stubs, each call bounded by a deadline.
 *
 * <pre>{@code
 * try (CriClient cri = CriClient.connect(Path.of("/run/containerd/containerd.sock"))) {
 *     VersionResponse v = cri.version();   // runtime_name "containerd", runtime_version "1.6.20"
 *     cri.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance());
 * }
 * }</pre>
 */
public final class CriClient implements AutoCloseable {

    /** The CRI API version the kubelet announces in VersionRequest. */
    public static final String KUBELET_API_VERSION = "v1";

    private static final Logger LOG = LoggerFactory.getLogger(CriClient.class);
    private static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(2);

    private final Path socket;
    private final EpollEventLoopGroup eventLoop;
    private final ManagedChannel channel;
    /** Calls made, by method ("RuntimeService/ListContainers"): every call costs the runtime CPU. */
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

    private CriClient(Path socket) {
        this.socket = socket;
        this.eventLoop = new EpollEventLoopGroup(1);
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(eventLoop)
                .channelType(EpollDomainSocketChannel.class)
                .usePlaintext()
                // TCP keepalive means nothing on a unix socket (netty would warn about it)
                .withOption(io.grpc.netty.shaded.io.netty.channel.ChannelOption.SO_KEEPALIVE, null)
                // image lists and container lists of a busy node exceed gRPC's 4 MiB default
                .maxInboundMessageSize(16 * 1024 * 1024)
                .intercept(new io.grpc.ClientInterceptor() {
                    @Override
                    public <Q, R> io.grpc.ClientCall<Q, R> interceptCall(io.grpc.MethodDescriptor<Q, R> method,
                                                                         io.grpc.CallOptions options, io.grpc.Channel next) {
                        calls.computeIfAbsent(method.getFullMethodName().replaceFirst("^runtime\\.v1\\.", ""),
                                k -> new LongAdder()).increment();
                        return next.newCall(method, options);
                    }
                })
                .build();
    }

    /** A client for the CRI runtime listening on the unix socket (the connection is made lazily). */
    public static CriClient connect(Path socket) {
        return new CriClient(socket);
    }

    public Path socket() {
        return socket;
    }

    /** The runtime service with the default deadline (per call). */
    public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
        return runtime(DEFAULT_DEADLINE);
    }

    public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime(Duration deadline) {
        return RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The image service with the default deadline (pulls of large images may need longer: pass one). */
    public ImageServiceGrpc.ImageServiceBlockingStub images() {
        return images(DEFAULT_DEADLINE);
    }

    public ImageServiceGrpc.ImageServiceBlockingStub images(Duration deadline) {
        return ImageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public VersionResponse version() {
        return runtime(Duration.ofSeconds(10)).version(VersionRequest.newBuilder().setVersion(KUBELET_API_VERSION).build());
    }

    /** CRI calls made so far on this connection, by method. */
    public Map<String, Long> callCounts() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((m, n) -> out.put(m, n.sum()));
        return out;
    }

    @Override
    public void close() {
        if (LOG.isDebugEnabled() && !calls.isEmpty()) {
            LOG.debug("CRI calls on {}: {}", socket, callCounts());
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}

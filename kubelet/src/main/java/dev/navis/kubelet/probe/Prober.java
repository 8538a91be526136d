package dev.navis.kubelet.probe;

import dev.navis.kubelet.runtime.PodRuntime;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Runs one probe once, as upstream's pkg/probe: exec (exit code 0 through the runtime), httpGet (status
 * 200–399, redirects followed, HTTPS without verification, User-Agent kube-probe/1.32), tcpSocket (a
 * connection opens) and grpc (grpc.health.v1.Health/Check answers SERVING), each within timeoutSeconds.
 */
public final class Prober {
    static final String USER_AGENT = "kube-probe/1.32";

    /** A probe's outcome and what it said (for the Unhealthy event). */
    public record Result(boolean success, String output) {
        static Result ok(String output) {
            return new Result(true, output);
        }

        static Result fail(String output) {
            return new Result(false, output);
        }
    }

    private final PodRuntime runtime;
    private final HttpClient http;
    private final HttpClient https;

    public Prober(PodRuntime runtime) {
        this.runtime = runtime;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1).build();
        this.https = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_1_1).sslContext(trustAll()).build();
    }

    /**
     * @param podIp the pod's IP: the default host of httpGet, tcpSocket and grpc
     */
    public Result probe(Pod pod, Container container, Probe probe, String podIp) {
        Duration timeout = Duration.ofSeconds(probe.getTimeoutSeconds() == null ? 1 : Math.max(1, probe.getTimeoutSeconds()));
        try {
            if (probe.getExec() != null) {
                PodRuntime.ExecResult r = runtime.execSync(pod, container.getName(), probe.getExec().getCommand(), timeout);
                return r.exitCode() == 0 ? Result.ok(r.output())
                        : Result.fail("command " + goQuotedList(probe.getExec().getCommand()) + " exited with "
                        + r.exitCode() + ": " + r.output());
            }
            if (probe.getHttpGet() != null) {
                var get = probe.getHttpGet();
                String host = get.getHost() == null || get.getHost().isEmpty() ? podIp : get.getHost();
                int port = resolvePort(get.getPort(), container);
                String scheme = get.getScheme() == null ? "http" : get.getScheme().toLowerCase();
                String path = get.getPath() == null || get.getPath().isEmpty() ? "/" : get.getPath();
                if (!path.startsWith("/")) {
                    path = "/" + path;
                }
                return httpGet(URI.create(scheme + "://" + hostPort(host, port) + path), get.getHttpHeaders(), timeout,
                        scheme.equals("https"));
            }
            if (probe.getTcpSocket() != null) {
                String host = probe.getTcpSocket().getHost() == null || probe.getTcpSocket().getHost().isEmpty()
                        ? podIp : probe.getTcpSocket().getHost();
                int port = resolvePort(probe.getTcpSocket().getPort(), container);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
                    return Result.ok("");
                } catch (IOException e) {
                    return Result.fail("dial tcp " + hostPort(host, port) + ": " + e.getMessage());
                }
            }
            if (probe.getGrpc() != null) {
                return GrpcHealthCheck.check(podIp, probe.getGrpc().getPort(),
                        probe.getGrpc().getService() == null ? "" : probe.getGrpc().getService(), timeout);
            }
            return Result.fail("missing probe handler");
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Result.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private Result httpGet(URI uri, List<HTTPHeader> headers, Duration timeout, boolean tls)
            throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("Accept", "*/*");
        boolean userAgentSet = false;
        if (headers != null) {
            for (HTTPHeader h : headers) {
                req.header(h.getName(), h.getValue());
                userAgentSet |= h.getName().equalsIgnoreCase("User-Agent");
            }
        }
        if (!userAgentSet) {
            req.header("User-Agent", USER_AGENT);
        }
        HttpResponse<byte[]> response;
        try {
            response = (tls ? https : http).send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.http.HttpTimeoutException e) {
            return Result.fail("Get \"" + uri + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        } catch (IOException e) {
            return Result.fail("Get \"" + uri + "\": " + e.getMessage());
        }
        byte[] body = response.body();
        String text = new String(body, 0, Math.min(body.length, 10 * 1024), StandardCharsets.UTF_8);
        int code = response.statusCode();
        if (code >= 200 && code < 400) {
            return Result.ok(text);
        }
        return Result.fail("HTTP probe failed with statuscode: " + code);
    }

    /** An int port, or the containerPort of the container's port with that name. */
    static int resolvePort(IntOrString port, Container container) {
        if (port == null) {
            throw new IllegalArgumentException("probe has no port");
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        String name = port.getStrVal();
        if (container.getPorts() != null) {
            for (ContainerPort p : container.getPorts()) {
                if (name.equals(p.getName())) {
                    return p.getContainerPort();
                }
            }
        }
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("couldn't find port: " + name + " in container " + container.getName());
        }
    }

    static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static String goQuotedList(List<String> items) {
        return "[" + String.join(" ", items) + "]";
    }

    /**
     * Upstream's HTTPS probes skip verification altogether (InsecureSkipVerify): an extended trust manager that
     * accepts everything, since the JDK checks the host name itself around a plain X509TrustManager.
     */
    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new javax.net.ssl.X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

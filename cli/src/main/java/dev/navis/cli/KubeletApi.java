package dev.navis.cli;

import java.net.InetAddress;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.navis.client.config.Pem;
import dev.navis.kubelet.Kubelet;
import dev.navis.kubelet.runtime.CriPodCgroups;
import dev.navis.kubelet.runtime.CriPodRuntime;
import dev.navis.kubelet.runtime.CriStreamingRuntime;
import dev.navis.kubelet.runtime.PodRuntime;
import dev.navis.kubelet.server.KubeletPods;
import dev.navis.kubelet.server.KubeletServer;
import dev.navis.kubelet.server.PodCgroups;
import dev.navis.kubelet.server.ServingCertificate;
import dev.navis.kubelet.server.StreamingRuntime;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Builds a real node's HTTPS API ({@link KubeletServer}): a self-signed serving certificate for the node's name and
 * InternalIP, client certificates verified against the cluster CA (the API server's kubelet client certificate is
 * issued from it), and the CRI runtime's streaming, log and cgroup adapters. The server starts before the
 * {@link Kubelet} exists (so the bound port can be published in the Node); {@link #attach} hands it the pods.
 */
final class KubeletApi {
    /** For runtimes without logs or streaming (none of the real node's): every request is refused. */
    private static final StreamingRuntime UNSUPPORTED = new StreamingRuntime() {
        @Override
        public java.nio.file.Path containerLogPath(String containerId) {
            throw new UnsupportedOperationException("this node's runtime keeps no container logs");
        }

        @Override
        public boolean isRunning(String containerId) {
            return false;
        }

        @Override
        public java.net.URI exec(ExecRequest request) {
            throw new UnsupportedOperationException("this node's runtime does not support exec");
        }

        @Override
        public java.net.URI attach(AttachRequest request) {
            throw new UnsupportedOperationException("this node's runtime does not support attach");
        }

        @Override
        public java.net.URI portForward(Pod pod, List<Integer> ports) {
            throw new UnsupportedOperationException("this node's runtime does not support port forwarding");
        }
    };

    private final AtomicReference<Kubelet> kubelet = new AtomicReference<>();
    private final KubeletServer server;

    private KubeletApi(KubeletServer.Config config, PodRuntime runtime) {
        KubeletPods pods = new KubeletPods() {
            @Override
            public Optional<Pod> pod(String namespace, String name) {
                Kubelet k = kubelet.get();
                return k == null ? Optional.empty() : k.kubeletPods().pod(namespace, name);
            }

            @Override
            public List<Pod> pods() {
                Kubelet k = kubelet.get();
                return k == null ? List.of() : k.kubeletPods().pods();
            }
        };
        StreamingRuntime streaming = runtime instanceof CriPodRuntime cri ? new CriStreamingRuntime(cri) : UNSUPPORTED;
        PodCgroups cgroups = runtime instanceof CriPodRuntime cri ? new CriPodCgroups(cri, pods) : PodCgroups.NONE;
        this.server = new KubeletServer(config, pods, streaming, cgroups);
    }

    /**
     * Starts the server on {@code port} (0: any free port).
     *
     * @param clientCaPem the CA whose client certificates are accepted (PEM), or null to accept none
     */
    static KubeletApi start(String nodeName, String internalIp, int port, byte[] clientCaPem, PodRuntime runtime)
            throws Exception {
        return start(nodeName, internalIp, port, clientCaPem, runtime, null);
    }

    /** Where a node's serving certificate comes from: a key store under {@code password} for these names. */
    @FunctionalInterface
    interface ServingCertificates {
        KeyStore create(String nodeName, List<InetAddress> addresses, char[] password) throws Exception;
    }

    /**
     * As {@link #start(String, String, int, byte[], PodRuntime)}, serving with the certificate {@code certificates}
     * makes (a joined node's, signed by the cluster CA); null: a self-signed one.
     */
    static KubeletApi start(String nodeName, String internalIp, int port, byte[] clientCaPem, PodRuntime runtime,
                            ServingCertificates certificates) throws Exception {
        char[] password = "kubelet".toCharArray();
        List<InetAddress> addresses = servingAddresses(internalIp);
        KeyStore serving = certificates == null ? ServingCertificate.selfSigned(nodeName, addresses, password)
                : certificates.create(nodeName, addresses, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        if (clientCaPem != null) {
            int i = 0;
            for (X509Certificate ca : Pem.certificates(clientCaPem)) {
                trust.setCertificateEntry("client-ca-" + i++, ca);
            }
        }
        KubeletApi api = new KubeletApi(KubeletServer.Config.of(nodeName, port, serving, password, trust), runtime);
        api.server.start();
        return api;
    }

    /** The addresses a node's serving certificate names: its InternalIP and loopback. */
    static List<InetAddress> servingAddresses(String internalIp) throws java.net.UnknownHostException {
        return List.of(InetAddress.getByName(internalIp), InetAddress.getLoopbackAddress());
    }

    /** The CA of the kubeconfig's current cluster (PEM), or null when it names none. */
    static byte[] clusterCa(java.nio.file.Path kubeconfig) {
        var config = dev.navis.client.config.KubeConfigLoader.load(kubeconfig.toAbsolutePath());
        var context = config.contexts().get(config.currentContext());
        var cluster = context == null ? null : config.clusters().get(context.cluster());
        if (cluster == null) {
            return null;
        }
        try {
            if (cluster.certificateAuthorityData() != null && !cluster.certificateAuthorityData().isEmpty()) {
                return java.util.Base64.getMimeDecoder().decode(cluster.certificateAuthorityData());
            }
            if (cluster.certificateAuthority() != null && !cluster.certificateAuthority().isEmpty()) {
                java.nio.file.Path file = java.nio.file.Path.of(cluster.certificateAuthority());
                return java.nio.file.Files.readAllBytes(file.isAbsolute() || cluster.baseDir() == null ? file
                        : cluster.baseDir().resolve(file));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return null;
    }

    int port() {
        return server.port();
    }

    void attach(Kubelet k) {
        kubelet.set(k);
    }

    void close() throws Exception {
        server.close();
    }
}

package dev.navis.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;
import dev.navis.client.ApiException;
import dev.navis.client.certificates.BootstrapTokens;
import dev.navis.client.certificates.CertificateRequests;
import dev.navis.client.certificates.CertificateSigningRequests;
import dev.navis.client.certificates.JoinToken;
import dev.navis.client.certificates.Signers;
import dev.navis.client.config.ClientConfig;
import dev.navis.client.config.KubeConfigLoader;
import dev.navis.client.config.Pem;
import dev.navis.client.config.Tls;
import dev.navis.client.rest.RestKubeClient;
import dev.navis.controllers.ControllerOptions;
import dev.navis.controllers.certificates.ClusterSigning;
import dev.navis.kubelet.KubeletConfig;
import dev.navis.kubelet.sim.SimulatedPodRuntime;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Nodes that join with a token, end to end in one process: a real API server, the controller manager (csrapproving
 * and csrsigning with the server's CA) and a node on the simulated runtime started with the credentials the
 * bootstrap flow produced; kubectl reads and approves CertificateSigningRequests.
 */
class JoinIntegrationTest {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    private static Path dir;
    private static ApiServer server;
    private static ControllerManagerRunner manager;
    private static RestKubeClient admin;

    @BeforeAll
    static void startControlPlane() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed");
        dir = Files.createTempDirectory("join-it");
        server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dir.resolve("data")).withPort(0));
        server.start();
        admin = RestKubeClient.create(KubeConfigLoader.load(server.kubeconfigFile()).clientConfig());
        ClusterInfo.publish(admin, server.kubeconfigFile(), server.url().toString());
        Path pki = server.options().pkiDir();
        manager = ControllerManagerRunner.start(server.kubeconfigFile(), ControllerOptions.defaults()
                .withClusterSigning(new ClusterSigning(pki.resolve("ca.crt"), pki.resolve("ca.key"))));
        await().atMost(Duration.ofSeconds(60)).until(() -> manager.manager().isRunning());
    }

    @AfterAll
    static void stopControlPlane() throws Exception {
        if (manager != null) {
            manager.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.stop();
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void tokenCreateThenAgentBootstrapGivesTheNodeItsOwnCertificatesAndTheNodeRegistersWithThem() throws Exception {
        JoinToken token = TokenCommand.create(admin, server.kubeconfigFile(), Duration.ofHours(1), "join-it");
        // the hash covers the CA file's bytes, which cluster-info publishes as they are
        assertThat(token.toString()).startsWith("K10" + JoinToken.caHash(
                Files.readAllBytes(server.options().pkiDir().resolve("ca.crt"))) + "::" + token.id() + ".");
        Secret secret = admin.secrets().namespace("kube-system").get("bootstrap-token-" + token.id());
        assertThat(secret.getType()).isEqualTo(BootstrapTokens.SECRET_TYPE);
        assertThat(decode(secret, "token-id")).isEqualTo(token.id());
        assertThat(decode(secret, "token-secret")).isEqualTo(token.secret());
        assertThat(decode(secret, "usage-bootstrap-authentication")).isEqualTo("true");
        assertThat(decode(secret, "usage-bootstrap-signing")).isEqualTo("true");
        assertThat(decode(secret, "auth-extra-groups")).isEqualTo("system:bootstrappers:kubeadm:default-node-token");
        assertThat(Instant.parse(decode(secret, "expiration"))).isBetween(Instant.now().plusSeconds(3000),
                Instant.now().plusSeconds(3700));

        Path agentDir = dir.resolve("agent-1");
        AgentCommand.NodeCredentials credentials = AgentCommand.join(server.url(), token, agentDir, "worker-1",
                Duration.ofSeconds(60));

        X509Certificate ca = Pem.certificates(credentials.caPem()).get(0);
        var kubeconfig = KubeConfigLoader.load(agentDir.resolve(NodeBootstrap.KUBECONFIG_FILE));
        X509Certificate client = Pem.certificates(Base64.getMimeDecoder().decode(
                kubeconfig.users().values().iterator().next().clientCertificateData())).get(0);
        client.verify(ca.getPublicKey());
        assertThat(client.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:worker-1,O=system:nodes");
        assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2"); // client auth

        KubeletConfig config = KubeletConfig.defaults("worker-1", agentDir.resolve("root")).withKubeletPort(0);
        try (NodeRunner node = NodeRunner.startNode(credentials.clientConfig(), config,
                c -> new SimulatedPodRuntime("worker-1", 1, new SimulatedPodRuntime.Timing(Duration.ZERO, Duration.ZERO),
                        dev.navis.client.util.Clock.SYSTEM), credentials.caPem(), credentials.serving())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> ready(admin.nodes().get("worker-1")));
            Node registered = admin.nodes().get("worker-1");

            // the kubelet API serves the certificate the cluster CA signed through kubernetes.io/kubelet-serving
            int port = registered.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
            X509Certificate served = servedCertificate(port, ca);
            served.verify(ca.getPublicKey());
            assertThat(served.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:worker-1,O=system:nodes");
            List<String> sans = new ArrayList<>();
            served.getSubjectAlternativeNames().forEach(san -> sans.add(san.get(1).toString()));
            assertThat(sans).contains("worker-1", "127.0.0.1");
        }

        List<CertificateSigningRequest> requests = admin.resource(CertificateSigningRequest.class).list().items();
        CertificateSigningRequest clientCsr = requests.stream().filter(r -> r.getSpec().getUsername()
                .equals("system:bootstrap:" + token.id())).findFirst().orElseThrow();
        assertThat(clientCsr.getSpec().getSignerName()).isEqualTo(Signers.KUBE_APISERVER_CLIENT_KUBELET);
        assertThat(clientCsr.getSpec().getGroups()).containsExactly("system:bootstrappers",
                "system:bootstrappers:kubeadm:default-node-token", "system:authenticated");
        assertThat(clientCsr.getStatus().getConditions().get(0).getReason()).isEqualTo("AutoApproved");
        CertificateSigningRequest servingCsr = requests.stream().filter(r -> r.getSpec().getUsername()
                .equals("system:node:worker-1")).findFirst().orElseThrow();
        assertThat(servingCsr.getSpec().getSignerName()).isEqualTo(Signers.KUBELET_SERVING);

        String table = kubectl("get", "csr");
        assertThat(table.lines().findFirst().orElseThrow().split("\\s+"))
                .containsExactly("NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION");
        assertThat(table).containsPattern(clientCsr.getMetadata().getName()
                + "\\s+\\S+\\s+kubernetes.io/kube-apiserver-client-kubelet\\s+system:bootstrap:" + token.id()
                + "\\s+<none>\\s+Approved,Issued");

        // a second start reuses the node's credentials instead of bootstrapping again
        int before = admin.resource(CertificateSigningRequest.class).list().items().size();
        AgentCommand.join(server.url(), token, agentDir, "worker-1", Duration.ofSeconds(60));
        assertThat(admin.resource(CertificateSigningRequest.class).list().items()).hasSize(before);
    }

    @Test
    void aTokenPinningAnotherCaIsRefusedBeforeAnythingIsSent() throws Exception {
        JoinToken real = TokenCommand.create(admin, server.kubeconfigFile(), Duration.ofHours(1), null);
        JoinToken wrongHash = new JoinToken(JoinToken.caHash("another CA".getBytes(StandardCharsets.US_ASCII)),
                real.id(), real.secret());
        int before = admin.resource(CertificateSigningRequest.class).list().items().size();

        assertThatThrownBy(() -> AgentCommand.join(server.url(), wrongHash, dir.resolve("agent-wrong"), "worker-x",
                Duration.ofSeconds(10)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("refusing to join");
        assertThat(admin.resource(CertificateSigningRequest.class).list().items()).hasSize(before);
        assertThat(dir.resolve("agent-wrong").resolve(NodeBootstrap.KUBECONFIG_FILE)).doesNotExist();
    }

    @Test
    void unknownWrongAndExpiredBootstrapTokensGet401() throws Exception {
        JoinToken real = TokenCommand.create(admin, server.kubeconfigFile(), Duration.ofHours(1), null);
        assertThat(status(real.bootstrapToken())).isEqualTo(200);
        assertThat(status("abcdef.0123456789abcdef")).isEqualTo(401);
        assertThat(status(real.id() + ".0123456789abcdef")).isEqualTo(401);

        JoinToken expired = JoinToken.generate(new byte[0]);
        admin.secrets().namespace("kube-system").create(BootstrapTokens.secret(expired, Duration.ofSeconds(1),
                Instant.now().minusSeconds(60), null));
        assertThat(status(expired.bootstrapToken())).isEqualTo(401);

        // the joining node's view: a refused token fails the bootstrap with the server's answer
        JoinToken unknown = new JoinToken(real.caHash(), "zzzzzz", "0123456789abcdef");
        assertThatThrownBy(() -> AgentCommand.join(server.url(), unknown, dir.resolve("agent-bad"), "worker-y",
                Duration.ofSeconds(10))).isInstanceOf(IllegalStateException.class).hasMessageContaining("refused");
    }

    @Test
    void anApiServerClientRequestWaitsForKubectlCertificateApproveThenIsSigned() throws Exception {
        KeyPair keys = CertificateRequests.newKeyPair();
        String request = CertificateRequests.create(keys, "jane", List.of("dev"), List.of(), List.of());
        CertificateSigningRequest csr = CertificateSigningRequests.submit(admin, request, Signers.KUBE_APISERVER_CLIENT,
                List.of(Signers.DIGITAL_SIGNATURE, Signers.CLIENT_AUTH));
        String name = csr.getMetadata().getName();
        assertThat(csr.getSpec().getUsername()).isEqualTo("admin");
        assertThat(kubectl("get", "csr", name)).containsPattern(name
                + "\\s+\\S+\\s+kubernetes.io/kube-apiserver-client\\s+admin\\s+<none>\\s+Pending");

        assertThat(kubectl("certificate", "approve", name)).contains("approved");
        byte[] pem = CertificateSigningRequests.awaitCertificate(admin, name, Duration.ofSeconds(30));
        X509Certificate issued = Pem.certificates(pem).get(0);
        assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("CN=jane,O=dev");
        assertThat(kubectl("get", "csr", name)).contains("Approved,Issued");

        CertificateSigningRequest other = CertificateSigningRequests.submit(admin, CertificateRequests.create(
                CertificateRequests.newKeyPair(), "joe", List.of(), List.of(), List.of()), Signers.KUBE_APISERVER_CLIENT,
                List.of(Signers.DIGITAL_SIGNATURE, Signers.CLIENT_AUTH));
        assertThat(kubectl("certificate", "deny", other.getMetadata().getName())).contains("denied");
        assertThat(kubectl("get", "csr", other.getMetadata().getName())).contains("Denied");
        assertThatThrownBy(() -> CertificateSigningRequests.awaitCertificate(admin, other.getMetadata().getName(),
                Duration.ofSeconds(5))).hasMessageContaining("is denied");
    }

    private static int status(String bearerToken) {
        byte[] caPem = KubeletApi.clusterCa(server.kubeconfigFile());
        ClientConfig config = new ClientConfig(server.url(), Tls.context(Pem.certificates(caPem), false, null, List.of()),
                () -> bearerToken, null, "default", 50, 100, "join-it");
        try (RestKubeClient client = RestKubeClient.create(config)) {
            client.namespaces().get("default");
            return 200;
        } catch (ApiException e) {
            return e.code();
        }
    }

    private static X509Certificate servedCertificate(int port, X509Certificate ca) throws Exception {
        var context = Tls.context(List.of(ca), false, null, List.of());
        // by name: Conscrypt's sockets opened by InetAddress read its host name reflectively, which Java 17+ refuses
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static boolean ready(Node node) {
        if (node == null || node.getStatus() == null) {
            return false;
        }
        for (NodeCondition c : node.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    private static String decode(Secret secret, String key) {
        return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    private static String kubectl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(KUBECTL.toString(), "--kubeconfig", server.kubeconfigFile().toString()));
        cmd.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "kubectl", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean finished = p.waitFor(10, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(output);
        assertThat(finished).as("kubectl %s: %s", args, out).isTrue();
        assertThat(p.exitValue()).as("kubectl %s: %s", args, out).isZero();
        return out;
    }
}

package dev.navis.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.navis.apiserver.auth.TokenFile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real kubectl against the server, using the kubeconfig the server wrote. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubectlTest {
    private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

    @TempDir
    static Path dataDir;

    private ApiServer server;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed at " + KUBECTL);
        server = new ApiServer(ApiServerOptions.defaults().withDataDir(dataDir).withPort(0), dir -> new FakeStore(),
                s -> new EchoApi());
        server.start();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void versionThroughTheKubeconfig() throws Exception {
        Result result = kubectl("--kubeconfig", server.kubeconfigFile().toString(), "get", "--raw", "/version");

        assertThat(result.exit()).as(result.output()).isZero();
        JsonNode version = JsonMapper.builder().build().readTree(result.output());
        assertThat(version.get("gitVersion").asString()).isEqualTo("v1.32.0-navis");
    }

    @Test
    void healthzThroughTheKubeconfig() throws Exception {
        Result result = kubectl("--kubeconfig", server.kubeconfigFile().toString(), "get", "--raw", "/healthz");

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).isEqualTo("ok");
    }

    @Test
    void kubectlVersionSeesTheServer() throws Exception {
        Result result = kubectl("--kubeconfig", server.kubeconfigFile().toString(), "version", "-o", "json");

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("\"serverVersion\"", "v1.32.0-navis");
    }

    @Test
    void bearerTokenFromTheTokenFile() throws Exception {
        String token = TokenFile.read(server.options().tokenFile()).keySet().iterator().next();
        String ca = server.options().pkiDir().resolve("ca.crt").toString();

        Result ok = kubectl("--kubeconfig", "/dev/null", "--server", server.url().toString(),
                "--certificate-authority", ca, "--token", token, "get", "--raw", "/api/v1/namespaces");
        Result bad = kubectl("--kubeconfig", "/dev/null", "--server", server.url().toString(),
                "--certificate-authority", ca, "--token", "wrong", "get", "--raw", "/api/v1/namespaces");

        assertThat(ok.exit()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("\"user\":\"admin\"");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.output()).contains("Unauthorized");
    }

    record Result(int exit, String output) {
    }

    private static Result kubectl(String... args) throws Exception {
        return run(dataDir, args);
    }

    /** Runs kubectl with {@code home} as HOME, so no user kubeconfig or cache leaks in. */
    static Result run(Path home, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(KUBECTL.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("HOME", home.toString());
        builder.environment().remove("KUBECONFIG");
        Process process = builder.start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("kubectl did not finish: " + output);
            }
            return new Result(process.exitValue(), output.strip());
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}

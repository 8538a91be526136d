package dev.navis.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import dev.navis.apiserver.certs.ServiceAccountKey;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The TokenRequest API (serviceaccounts/token) and the service-account token authenticator on the production
 * assembly: real kubectl's {@code create token} and {@code auth whoami --token}, and raw requests for the errors.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceAccountTokenTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dataDir;

    private ApiServer server;
    private HttpClient admin;
    private HttpClient anonymous;

    @BeforeAll
    void start() throws Exception {
        server = ApiServer.create(ApiServerOptions.defaults().withDataDir(dataDir).withPort(0));
        server.start();
        admin = TestClients.withClientCertificate(server.certificates());
        anonymous = TestClients.withoutClientCertificate(server.certificates());
        send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts", "{\"metadata\":{\"name\":\"sa1\"}}", null);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void theSigningKeyIsGeneratedWithThePki() {
        assertThat(server.options().pkiDir().resolve(ServiceAccountKey.PRIVATE_FILE)).isRegularFile();
        assertThat(server.options().pkiDir().resolve(ServiceAccountKey.PUBLIC_FILE)).isRegularFile();
    }

    @Test
    void aTokenRequestAnswersASignedTokenWithUpstreamsClaims() throws Exception {
        HttpResponse<String> r = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/sa1/token",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{}}", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.path("kind").asString()).isEqualTo("TokenRequest");
        assertThat(answer.path("spec").path("expirationSeconds").asLong()).isEqualTo(3600);
        assertThat(answer.path("spec").path("audiences").get(0).asString())
                .isEqualTo("https://kubernetes.default.svc.cluster.local");
        assertThat(answer.path("status").path("expirationTimestamp").asString()).endsWith("Z");

        String token = answer.path("status").path("token").asString();
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[0]));
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(header.path("alg").asString()).isEqualTo("RS256");
        assertThat(claims.path("iss").asString()).isEqualTo("https://kubernetes.default.svc.cluster.local");
        assertThat(claims.path("sub").asString()).isEqualTo("system:serviceaccount:default:sa1");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(3600);
        assertThat(claims.path("nbf").asLong()).isEqualTo(claims.path("iat").asLong());
        assertThat(claims.path("kubernetes.io").path("namespace").asString()).isEqualTo("default");
        assertThat(claims.path("kubernetes.io").path("serviceaccount").path("name").asString()).isEqualTo("sa1");
        assertThat(claims.path("kubernetes.io").path("serviceaccount").path("uid").asString()).isNotEmpty();

        JsonNode who = whoami(token);
        assertThat(who.path("username").asString()).isEqualTo("system:serviceaccount:default:sa1");
        assertThat(JSON.convertValue(who.path("groups"), String[].class)).containsExactly("system:serviceaccounts",
                "system:serviceaccounts:default", "system:authenticated");
    }

    @Test
    void errorsAreUpstreams() throws Exception {
        HttpResponse<String> missing = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/nobody/token",
                "{\"spec\":{}}", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("serviceaccounts \\\"nobody\\\" not found");

        HttpResponse<String> tooShort = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/sa1/token",
                "{\"spec\":{\"expirationSeconds\":10}}", null);
        assertThat(tooShort.statusCode()).isEqualTo(422);
        assertThat(tooShort.body()).contains("may not specify a duration less than 10 minutes");

        HttpResponse<String> badKind = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/sa1/token",
                "{\"spec\":{\"boundObjectRef\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"name\":\"x\"}}}", null);
        assertThat(badKind.statusCode()).isEqualTo(400);
    }

    @Test
    void aTokenBoundToAPodStopsWorkingWhenThePodIsGone() throws Exception {
        send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts", "{\"metadata\":{\"name\":\"sa2\"}}", null);
        HttpResponse<String> node = send(admin, "POST", "/api/v1/nodes", "{\"metadata\":{\"name\":\"n1\"}}", null);
        assertThat(node.statusCode()).as(node.body()).isEqualTo(201);
        String nodeUid = JSON.readTree(node.body()).path("metadata").path("uid").asString();
        HttpResponse<String> pod = send(admin, "POST", "/api/v1/namespaces/default/pods", """
                {"metadata":{"name":"bound"},"spec":{"serviceAccountName":"sa2","nodeName":"n1",
                 "containers":[{"name":"c","image":"busybox"}]}}""", null);
        assertThat(pod.statusCode()).as(pod.body()).isEqualTo(201);
        String uid = JSON.readTree(pod.body()).path("metadata").path("uid").asString();

        HttpResponse<String> wrongSa = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/sa1/token",
                "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"bound\"}}}", null);
        assertThat(wrongSa.statusCode()).isEqualTo(400);
        assertThat(wrongSa.body()).contains("different serviceaccount name");
        HttpResponse<String> wrongUid = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/sa2/token",
                "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"bound\",\"uid\":\"x\"}}}",
                null);
        assertThat(wrongUid.statusCode()).isEqualTo(409);

        HttpResponse<String> r = send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/sa2/token",
                "{\"spec\":{\"expirationSeconds\":3607,\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
                        + "\"name\":\"bound\",\"uid\":\"" + uid + "\"}}}", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        String token = JSON.readTree(r.body()).path("status").path("token").asString();
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertThat(claims.path("kubernetes.io").path("pod").path("uid").asString()).isEqualTo(uid);
        assertThat(claims.path("kubernetes.io").path("node").path("name").asString()).isEqualTo("n1");
        assertThat(claims.path("kubernetes.io").path("node").path("uid").asString()).isEqualTo(nodeUid);
        assertThat(whoami(token).path("username").asString()).isEqualTo("system:serviceaccount:default:sa2");

        send(admin, "DELETE", "/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=0", null, null);
        assertThat(send(anonymous, "GET", "/api/v1/namespaces", null, token).statusCode()).isEqualTo(401);
    }

    @Test
    void aTokenOfADeletedServiceAccountOrWithAForgedSignatureIsRefused() throws Exception {
        send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts", "{\"metadata\":{\"name\":\"gone\"}}", null);
        String token = JSON.readTree(send(admin, "POST", "/api/v1/namespaces/default/serviceaccounts/gone/token",
                "{\"spec\":{}}", null).body()).path("status").path("token").asString();
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(new byte[256]);
        assertThat(send(anonymous, "GET", "/api/v1/namespaces", null, forged).statusCode()).isEqualTo(401);
        assertThat(send(anonymous, "GET", "/api/v1/namespaces", null, token).statusCode()).isEqualTo(200);
        send(admin, "DELETE", "/api/v1/namespaces/default/serviceaccounts/gone", null, null);
        assertThat(send(anonymous, "GET", "/api/v1/namespaces", null, token).statusCode()).isEqualTo(401);
    }

    @Test
    void theIssuerPublishesItsKeys() throws Exception {
        HttpResponse<String> config = send(admin, "GET", "/.well-known/openid-configuration", null, null);
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(config.body()).path("jwks_uri").asString())
                .isEqualTo("https://kubernetes.default.svc.cluster.local/openid/v1/jwks");
        HttpResponse<String> jwks = send(admin, "GET", "/openid/v1/jwks", null, null);
        assertThat(JSON.readTree(jwks.body()).path("keys").get(0).path("kty").asString()).isEqualTo("RSA");
    }

    @Test
    void kubectlCreateTokenAndAuthWhoami() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed");
        String kubeconfig = server.kubeconfigFile().toString();
        KubectlTest.Result created = KubectlTest.run(dataDir, "--kubeconfig", kubeconfig, "create", "token", "sa1",
                "--duration", "20m");
        assertThat(created.exit()).as(created.output()).isZero();
        String token = created.output().trim();
        Path ca = server.options().pkiDir().resolve("ca.crt");
        // no kubeconfig: its client certificate would authenticate before the token
        KubectlTest.Result whoami = KubectlTest.run(dataDir, "--kubeconfig", "/dev/null", "--server",
                server.url().toString(), "--certificate-authority", ca.toString(), "--token", token, "auth", "whoami",
                "-o", "jsonpath={.status.userInfo.username}");
        assertThat(whoami.exit()).as(whoami.output()).isZero();
        assertThat(whoami.output()).isEqualTo("system:serviceaccount:default:sa1");

        KubectlTest.Result missing = KubectlTest.run(dataDir, "--kubeconfig", kubeconfig, "create", "token", "nobody");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.output()).contains("serviceaccounts \"nobody\" not found");
    }

    private JsonNode whoami(String token) throws Exception {
        HttpResponse<String> r = send(anonymous, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}", token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body()).path("status").path("userInfo");
    }

    private HttpResponse<String> send(HttpClient client, String method, String path, String body, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.apiserver.auth.UserInfo;
import dev.navis.storage.mvcc.MvccStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * CertificateSigningRequests over HTTP with the real resource table: the requester comes from the authenticated
 * user, spec is immutable, status cannot approve, approval changes only the Approved/Denied conditions.
 */
class CertificateSigningRequestRestTest {
    private static final String PATH = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
    private static final UserInfo USER = new UserInfo("system:bootstrap:abcdef", "", List.of("system:bootstrappers",
            "system:authenticated"));

    private MvccStore store;
    private RestApi api;
    private Server server;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        store = MvccStore.inMemory();
        api = new RestApi(store, BuiltinResources.all());
        api.start();
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        // stands in for authentication: every request is USER
        server.setHandler(new Handler.Wrapper(api.handler()) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                request.setAttribute(UserInfo.ATTRIBUTE, USER);
                return super.handle(request, response, callback);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        api.stop();
        server.stop();
        store.close();
        http.close();
    }

    @Test
    void requesterSpecStatusAndApprovalFollowUpstreamsStrategies() throws Exception {
        ObjectNode created = send("POST", PATH, "{\"apiVersion\":\"certificates.k8s.io/v1\","
                + "\"kind\":\"CertificateSigningRequest\",\"metadata\":{\"name\":\"csr-1\"},\"spec\":{\"request\":\""
                + request() + "\",\"signerName\":\"kubernetes.io/kube-apiserver-client\",\"usages\":[\"client auth\"],"
                + "\"username\":\"admin\",\"groups\":[\"system:masters\"]},"
                + "\"status\":{\"conditions\":[{\"type\":\"Approved\",\"status\":\"True\"}]}}", 201);
        assertThat(created.at("/spec/username").asString()).isEqualTo("system:bootstrap:abcdef");
        assertThat(created.at("/spec/groups").toString())
                .isEqualTo("[\"system:bootstrappers\",\"system:authenticated\"]");
        assertThat(created.has("status") && created.get("status").has("conditions")).isFalse();

        // the object itself: spec stays
        ObjectNode changed = created.deepCopy();
        ((ObjectNode) changed.get("spec")).put("signerName", "example.com/other");
        ((ObjectNode) changed.get("metadata")).putObject("labels").put("a", "b");
        ObjectNode updated = send("PUT", PATH + "/csr-1", changed.toString(), 200);
        assertThat(updated.at("/spec/signerName").asString()).isEqualTo("kubernetes.io/kube-apiserver-client");
        assertThat(updated.at("/metadata/labels/a").asString()).isEqualTo("b");

        // status cannot approve
        ObjectNode viaStatus = updated.deepCopy();
        viaStatus.putObject("status").putArray("conditions").addObject().put("type", "Approved").put("status", "True");
        ObjectNode afterStatus = send("PUT", PATH + "/csr-1/status", viaStatus.toString(), 200);
        assertThat(afterStatus.at("/status/conditions").isMissingNode() || afterStatus.at("/status/conditions").isEmpty())
                .isTrue();

        // approval sets the condition (timestamps filled in) and nothing else
        ObjectNode approval = afterStatus.deepCopy();
        ObjectNode status = approval.putObject("status");
        status.put("certificate", Base64.getEncoder().encodeToString("x".getBytes(StandardCharsets.US_ASCII)));
        status.putArray("conditions").addObject().put("type", "Approved").put("status", "True")
                .put("reason", "KubectlApprove");
        ObjectNode approved = send("PUT", PATH + "/csr-1/approval", approval.toString(), 200);
        assertThat(approved.at("/status/conditions/0/type").asString()).isEqualTo("Approved");
        assertThat(approved.at("/status/conditions/0/lastUpdateTime").asString()).isNotEmpty();
        assertThat(approved.at("/status/certificate").isMissingNode()).isTrue();

        // Approved and Denied together: 422
        ObjectNode both = approved.deepCopy();
        ((tools.jackson.databind.node.ArrayNode) both.at("/status/conditions")).addObject().put("type", "Denied")
                .put("status", "True");
        ObjectNode refused = send("PUT", PATH + "/csr-1/approval", both.toString(), 422);
        assertThat(refused.path("message").asString()).contains("Approved and Denied conditions are mutually exclusive");

        // the signer's status update keeps the approval and adds the certificate
        ObjectNode signed = approved.deepCopy();
        ((ObjectNode) signed.get("status")).put("certificate", Base64.getEncoder().encodeToString(
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII)));
        ((ObjectNode) signed.get("status")).remove("conditions");
        ObjectNode issued = send("PUT", PATH + "/csr-1/status", signed.toString(), 200);
        assertThat(issued.at("/status/conditions/0/type").asString()).isEqualTo("Approved");
        assertThat(issued.at("/status/certificate").asString()).isNotEmpty();
    }

    private ObjectNode send(String method, String path, String body, int expected) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
        JsonNode json = Json.MAPPER.readTree(r.body());
        return (ObjectNode) json;
    }

    private static String request() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        var keys = generator.generateKeyPair();
        var req = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=jane"), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(req.getEncoded())
                + "\n-----END CERTIFICATE REQUEST-----\n";
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }
}

package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

@Timeout(60)
class LifecycleTest extends RestTestBase {

    @Test
    void scale() throws Exception {
        post("/apis/apps/v1/namespaces/default/deployments", "{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":2,"
                + "\"selector\":{\"matchLabels\":{\"app\":\"d\",\"b\":\"x\"}}}}");
        Reply s = get("/apis/apps/v1/namespaces/default/deployments/d/scale");
        assertThat(s.json().path("kind").asString()).isEqualTo("Scale");
        assertThat(s.json().path("apiVersion").asString()).isEqualTo("autoscaling/v1");
        assertThat(s.json().path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(s.json().path("status").path("selector").asString()).isEqualTo("app=d,b=x");
        Reply p = patch("/apis/apps/v1/namespaces/default/deployments/d/scale", "application/merge-patch+json",
                "{\"spec\":{\"replicas\":5}}");
        assertThat(p.code()).isEqualTo(200);
        assertThat(get("/apis/apps/v1/namespaces/default/deployments/d").json().path("spec").path("replicas").asInt())
                .isEqualTo(5);
        Reply u = put("/apis/apps/v1/namespaces/default/deployments/d/scale",
                "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":1}}");
        assertThat(u.json().path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(put("/apis/apps/v1/namespaces/default/deployments/d/scale",
                "{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":-1}}").code()).isEqualTo(422);
        assertThat(get("/api/v1/namespaces/default/pods/x/scale").code()).isEqualTo(404);
    }

    @Test
    void bindingEvictionAndGracefulDelete() throws Exception {
        post("/api/v1/namespaces/default/pods", pod("b"));
        String binding = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"b\"},"
                + "\"target\":{\"kind\":\"Node\",\"name\":\"n1\"}}";
        assertThat(post("/api/v1/namespaces/default/pods/b/binding", binding).code()).isEqualTo(201);
        assertThat(get("/api/v1/namespaces/default/pods/b").json().path("spec").path("nodeName").asString())
                .isEqualTo("n1");
        Reply again = post("/api/v1/namespaces/default/pods/b/binding", binding);
        assertThat(again.code()).isEqualTo(409);
        assertThat(again.json().path("message").asString()).isEqualTo("Operation cannot be fulfilled on pods/binding "
                + "\"b\": pod b is already assigned to node \"n1\"");
        assertThat(get("/api/v1/pods?fieldSelector=spec.nodeName%3Dn1").json().path("items").size()).isEqualTo(1);

        // a bound pod is deleted gracefully: deletionTimestamp set, gone after the kubelet's gracePeriodSeconds=0
        Reply graceful = delete("/api/v1/namespaces/default/pods/b");
        assertThat(graceful.code()).isEqualTo(200);
        assertThat(graceful.json().path("metadata").path("deletionGracePeriodSeconds").asInt()).isEqualTo(30);
        assertThat(graceful.json().path("metadata").has("deletionTimestamp")).isTrue();
        assertThat(get("/api/v1/namespaces/default/pods/b").code()).isEqualTo(200);
        assertThat(delete("/api/v1/namespaces/default/pods/b?gracePeriodSeconds=0").code()).isEqualTo(200);
        assertThat(get("/api/v1/namespaces/default/pods/b").code()).isEqualTo(404);

        post("/api/v1/namespaces/default/pods", pod("e"));
        Reply ev = post("/api/v1/namespaces/default/pods/e/eviction",
                "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"e\"}}");
        assertThat(ev.code()).isEqualTo(201);
        assertThat(get("/api/v1/namespaces/default/pods/e").code()).isEqualTo(404);
    }

    @Test
    void bindingIsWatchedAndReadAsStored() throws Exception {
        String created = post("/api/v1/namespaces/default/pods", pod("w")).json().path("metadata")
                .path("resourceVersion").asString();
        try (WatchLines watch = new WatchLines("/api/v1/namespaces/default/pods?watch=true&resourceVersion=" + created,
                null)) {
            String binding = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"w\","
                    + "\"annotations\":{\"bound-by\":\"test\"}},\"target\":{\"kind\":\"Node\",\"name\":\"n2\"}}";
            assertThat(post("/api/v1/namespaces/default/pods/w/binding", binding).code()).isEqualTo(201);
            JsonNode event = watch.next();
            assertThat(event.path("type").asString()).isEqualTo("MODIFIED");
            JsonNode watched = event.path("object");
            // the watchers' line, a GET and the stored bytes tell the same pod
            JsonNode got = get("/api/v1/namespaces/default/pods/w").json();
            assertThat(watched).isEqualTo(got);
            assertThat(got.path("apiVersion").asString()).isEqualTo("v1");
            assertThat(got.path("kind").asString()).isEqualTo("Pod");
            assertThat(got.path("spec").path("nodeName").asString()).isEqualTo("n2");
            assertThat(got.path("metadata").path("annotations").path("bound-by").asString()).isEqualTo("test");
            assertThat(Long.parseLong(got.path("metadata").path("resourceVersion").asString()))
                    .isGreaterThan(Long.parseLong(created));
            JsonNode scheduled = got.path("status").path("conditions").get(0);
            assertThat(scheduled.path("type").asString()).isEqualTo("PodScheduled");
            assertThat(scheduled.path("status").asString()).isEqualTo("True");
            var stored = Json.parseStored(store.get("/registry/pods/default/w").value());
            assertThat(stored.path("metadata").has("resourceVersion")).isFalse();
            assertThat(stored.path("spec").path("nodeName").asString()).isEqualTo("n2");
        }
    }

    @Test
    void evictionRespectsDisruptionBudgets() throws Exception {
        post("/api/v1/namespaces/default/pods", pod("r"));
        patch("/api/v1/namespaces/default/pods/r/status", "application/merge-patch+json",
                "{\"status\":{\"phase\":\"Running\"}}");
        Reply pdb = post("/apis/policy/v1/namespaces/default/poddisruptionbudgets",
                "{\"metadata\":{\"name\":\"budget\"},\"spec\":{\"minAvailable\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}}");
        assertThat(pdb.code()).isEqualTo(201);
        assertThat(patch("/apis/policy/v1/namespaces/default/poddisruptionbudgets/budget/status",
                "application/merge-patch+json", "{\"status\":{\"observedGeneration\":1,\"disruptionsAllowed\":0,"
                        + "\"desiredHealthy\":1,\"currentHealthy\":1,\"expectedPods\":1}}").code()).isEqualTo(200);
        String eviction = "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"r\"}}";
        Reply refused = post("/api/v1/namespaces/default/pods/r/eviction", eviction);
        assertThat(refused.code()).isEqualTo(429);
        assertThat(refused.json().path("reason").asString()).isEqualTo("TooManyRequests");
        assertThat(refused.json().path("message").asString())
                .isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
        assertThat(refused.json().path("details").path("causes").get(0).path("message").asString())
                .isEqualTo("The disruption budget budget needs 1 healthy pods and has 1 currently");
        assertThat(get("/api/v1/namespaces/default/pods/r").code()).isEqualTo(200);

        patch("/apis/policy/v1/namespaces/default/poddisruptionbudgets/budget/status", "application/merge-patch+json",
                "{\"status\":{\"disruptionsAllowed\":1}}");
        assertThat(post("/api/v1/namespaces/default/pods/r/eviction", eviction).code()).isEqualTo(201);
        assertThat(get("/api/v1/namespaces/default/pods/r").code()).isEqualTo(404);
        JsonNode status = get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/budget").json().path("status");
        assertThat(status.path("disruptionsAllowed").asInt()).isZero();
        assertThat(status.path("disruptedPods").has("r")).isTrue();
    }

    @Test
    void concurrentEvictionsShareABudgetWithoutConflicts() throws Exception {
        // kubectl drain evicts a node's pods in parallel: each must be answered 201 or 429, never a 409 of the budget
        int pods = 6;
        for (int i = 0; i < pods; i++) {
            post("/api/v1/namespaces/default/pods", pod("c" + i));
            patch("/api/v1/namespaces/default/pods/c" + i + "/status", "application/merge-patch+json",
                    "{\"status\":{\"phase\":\"Running\"}}");
        }
        post("/apis/policy/v1/namespaces/default/poddisruptionbudgets",
                "{\"metadata\":{\"name\":\"shared\"},\"spec\":{\"maxUnavailable\":4,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}}");
        patch("/apis/policy/v1/namespaces/default/poddisruptionbudgets/shared/status", "application/merge-patch+json",
                "{\"status\":{\"observedGeneration\":1,\"disruptionsAllowed\":4,\"desiredHealthy\":2,"
                        + "\"currentHealthy\":6,\"expectedPods\":6}}");
        java.util.List<java.util.concurrent.Future<Integer>> codes = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < pods; i++) {
                String name = "c" + i;
                codes.add(pool.submit(() -> post("/api/v1/namespaces/default/pods/" + name + "/eviction",
                        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"" + name + "\"}}").code()));
            }
        }
        java.util.List<Integer> answered = new java.util.ArrayList<>();
        for (var f : codes) {
            answered.add(f.get());
        }
        assertThat(answered).containsOnly(201, 429);
        assertThat(answered.stream().filter(c -> c == 201).count()).isEqualTo(4);
        assertThat(get("/apis/policy/v1/namespaces/default/poddisruptionbudgets/shared").json()
                .path("status").path("disruptionsAllowed").asInt()).isZero();
    }

    @Test
    void putCreatesWhereUpstreamAllowsIt() throws Exception {
        Reply ep = put("/api/v1/namespaces/default/endpoints/e", "{\"metadata\":{\"name\":\"e\"},\"subsets\":[]}");
        assertThat(ep.code()).isEqualTo(201);
        assertThat(put("/api/v1/namespaces/default/endpoints/e", "{\"metadata\":{\"name\":\"e\"}}").code())
                .isEqualTo(200);
        assertThat(put("/api/v1/namespaces/default/configmaps/none", "{\"metadata\":{\"name\":\"none\"}}").code())
                .isEqualTo(404);
    }

    @Test
    void finalizersAndPropagation() throws Exception {
        post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"f\",\"finalizers\":[\"x/y\"]}}");
        Reply d = delete("/api/v1/namespaces/default/configmaps/f");
        assertThat(d.code()).isEqualTo(200);
        assertThat(d.json().path("metadata").has("deletionTimestamp")).isTrue();
        Reply still = get("/api/v1/namespaces/default/configmaps/f");
        assertThat(still.code()).isEqualTo(200);
        assertThat(patch("/api/v1/namespaces/default/configmaps/f", "application/merge-patch+json",
                "{\"metadata\":{\"finalizers\":[\"x/y\",\"new/one\"]}}").code()).isEqualTo(422);
        Reply cleared = patch("/api/v1/namespaces/default/configmaps/f", "application/merge-patch+json",
                "{\"metadata\":{\"finalizers\":null}}");
        assertThat(cleared.code()).isEqualTo(200);
        assertThat(get("/api/v1/namespaces/default/configmaps/f").code()).isEqualTo(404);

        post("/apis/apps/v1/namespaces/default/deployments", "{\"metadata\":{\"name\":\"o\"},\"spec\":{}}");
        Reply orphan = call("DELETE", "/apis/apps/v1/namespaces/default/deployments/o", "application/json",
                "{\"propagationPolicy\":\"Orphan\"}");
        assertThat(orphan.json().path("metadata").path("finalizers").toString()).contains("orphan");
        Reply fg = call("DELETE", "/apis/apps/v1/namespaces/default/deployments/o?propagationPolicy=Foreground",
                null, null);
        assertThat(fg.json().path("metadata").path("finalizers").toString()).contains("foregroundDeletion")
                .doesNotContain("orphan");
    }

    @Test
    void namespaces() throws Exception {
        for (String ns : NamespaceLifecycle.SYSTEM) {
            assertThat(get("/api/v1/namespaces/" + ns).json().path("status").path("phase").asString()).isEqualTo("Active");
        }
        Reply refuse = delete("/api/v1/namespaces/kube-system");
        assertThat(refuse.code()).isEqualTo(403);
        assertThat(refuse.json().path("reason").asString()).isEqualTo("Forbidden");
        assertThat(refuse.json().path("message").asString())
                .isEqualTo("namespaces \"kube-system\" is forbidden: this namespace may not be deleted");

        assertThat(delete("/api/v1/namespaces").code()).isEqualTo(405);
        assertThat(post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"team\"}}").code()).isEqualTo(201);
        post("/api/v1/namespaces/team/configmaps", "{\"metadata\":{\"name\":\"c\"}}");
        post("/api/v1/namespaces/team/pods", pod("p"));
        Reply d = delete("/api/v1/namespaces/team");
        assertThat(d.code()).isEqualTo(200);
        assertThat(d.json().path("status").path("phase").asString()).isEqualTo("Terminating");
        Reply forbidden = post("/api/v1/namespaces/team/configmaps", "{\"metadata\":{\"name\":\"late\"}}");
        assertThat(forbidden.code()).isEqualTo(403);
        assertThat(forbidden.json().path("message").asString()).isEqualTo("configmaps \"late\" is forbidden: unable to "
                + "create new content in namespace team because it is being terminated");
        long deadline = System.currentTimeMillis() + 20_000;
        while (get("/api/v1/namespaces/team").code() != 404 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(get("/api/v1/namespaces/team").code()).isEqualTo(404);
        assertThat(get("/api/v1/namespaces/team/configmaps").json().path("items").size()).isEqualTo(0);
    }

    @Test
    void serviceAllocation() throws Exception {
        Reply k = get("/api/v1/namespaces/default/services/kubernetes");
        assertThat(k.json().path("spec").path("clusterIP").asString()).isEqualTo("10.43.0.1");
        Reply a = post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"ports\":[{\"port\":80}]}}");
        assertThat(a.code()).isEqualTo(201);
        String ip = a.json().path("spec").path("clusterIP").asString();
        assertThat(ip).startsWith("10.43.");
        assertThat(a.json().path("spec").path("clusterIPs").get(0).asString()).isEqualTo(ip);
        assertThat(a.json().path("spec").path("ipFamilies").get(0).asString()).isEqualTo("IPv4");
        assertThat(a.json().path("spec").path("ipFamilyPolicy").asString()).isEqualTo("SingleStack");

        Reply dup = post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"b\"},\"spec\":{\"clusterIP\":\""
                + ip + "\",\"ports\":[{\"port\":80}]}}");
        assertThat(dup.code()).isEqualTo(422);
        assertThat(dup.json().path("message").asString()).isEqualTo("Service \"b\" is invalid: spec.clusterIPs: Invalid "
                + "value: []string{\"" + ip + "\"}: failed to allocate IP " + ip + ": provided IP is already allocated");

        Reply headless = post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"h\"},\"spec\":{\"clusterIP\":\"None\"}}");
        assertThat(headless.json().path("spec").path("clusterIP").asString()).isEqualTo("None");

        Reply np = post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"np\"},\"spec\":{\"type\":\"NodePort\","
                + "\"ports\":[{\"port\":80},{\"port\":81,\"nodePort\":30080}]}}");
        assertThat(np.code()).isEqualTo(201);
        int port0 = np.json().path("spec").path("ports").get(0).path("nodePort").asInt();
        assertThat(port0).isBetween(30000, 32767);
        assertThat(np.json().path("spec").path("ports").get(1).path("nodePort").asInt()).isEqualTo(30080);
        Reply npDup = post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"np2\"},\"spec\":{\"type\":\"NodePort\","
                + "\"ports\":[{\"port\":80,\"nodePort\":30080}]}}");
        assertThat(npDup.code()).isEqualTo(422);
        assertThat(npDup.json().path("message").asString()).contains("spec.ports[0].nodePort: Invalid value: 30080: "
                + "provided port is already allocated");

        Reply lb = post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"type\":"
                + "\"LoadBalancer\",\"externalTrafficPolicy\":\"Local\",\"ports\":[{\"port\":80}]}}");
        int hc = lb.json().path("spec").path("healthCheckNodePort").asInt();
        assertThat(hc).isBetween(30000, 32767).isNotEqualTo(lb.json().path("spec").path("ports").get(0).path("nodePort").asInt());
        // back to ClusterIP: the node ports are released and can be taken again
        Reply back = put("/api/v1/namespaces/default/services/lb", "{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"type\":"
                + "\"ClusterIP\",\"ports\":[{\"port\":80}]}}");
        assertThat(back.json().path("spec").has("healthCheckNodePort")).isFalse();
        assertThat(post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"np3\"},\"spec\":{\"type\":"
                + "\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":" + hc + "}]}}").code()).isEqualTo(201);

        // an update without clusterIP keeps it; a restart rebuilds the allocation state from the store
        Reply upd = put("/api/v1/namespaces/default/services/a", "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"ports\":[{\"port\":90}]}}");
        assertThat(upd.json().path("spec").path("clusterIP").asString()).isEqualTo(ip);
        api.stop();
        RestApi restarted = new RestApi(store, TestResources.all(), options());
        restarted.start();
        try {
            server.stop();
            server.setHandler(restarted.handler());
            server.start();
            base = "http://127.0.0.1:" + ((org.eclipse.jetty.server.ServerConnector) server.getConnectors()[0]).getLocalPort();
            assertThat(post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"c\"},\"spec\":{\"clusterIP\":\""
                    + ip + "\"}}").code()).isEqualTo(422);
            assertThat(delete("/api/v1/namespaces/default/services/a").code()).isEqualTo(200);
            assertThat(post("/api/v1/namespaces/default/services", "{\"metadata\":{\"name\":\"c\"},\"spec\":{\"clusterIP\":\""
                    + ip + "\"}}").code()).isEqualTo(201);
        } finally {
            restarted.stop();
        }
    }

    @Test
    void compactorKeepsOneInterval() {
        long r1 = store.currentRevision();
        api.compactNow();
        assertThat(store.compactedRevision()).isZero();
        api.compactNow();
        assertThat(store.compactedRevision()).isEqualTo(r1);
    }
}

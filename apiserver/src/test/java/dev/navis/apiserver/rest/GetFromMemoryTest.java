package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.apiserver.RequestInfo;
import dev.navis.storage.KeyValue;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The GET of one object: which ones may run on an I/O thread, and the memo only answers the store's newest version. */
@Timeout(60)
class GetFromMemoryTest extends RestTestBase {

    private boolean readsFromMemory(String method, String path, String query) {
        return api.readsFromMemory(RequestInfo.parse(method, path, query), query);
    }

    @Test
    void onlyAGetOfOneStoredObjectReadsFromMemory() {
        assertThat(readsFromMemory("GET", "/api/v1/namespaces/default/pods/web", null)).isTrue();
        assertThat(readsFromMemory("GET", "/api/v1/namespaces/default", null)).isTrue();
        assertThat(readsFromMemory("GET", "/api/v1/namespaces/default/pods", null)).as("a LIST").isFalse();
        assertThat(readsFromMemory("GET", "/api/v1/namespaces/default/pods/web", "watch=true")).isFalse();
        assertThat(readsFromMemory("GET", "/api/v1/watch/namespaces/default/pods/web", null)).isFalse();
        assertThat(readsFromMemory("GET", "/api/v1/namespaces/default/pods/web/log", null)).isFalse();
        assertThat(readsFromMemory("GET", "/api/v1/namespaces/default/pods/web/status", null)).isFalse();
        assertThat(readsFromMemory("PUT", "/api/v1/namespaces/default/pods/web", null)).isFalse();
        assertThat(readsFromMemory("GET", "/api/v1/namespaces/default/unknowns/x", null)).isFalse();
        assertThat(readsFromMemory("GET", "/healthz", null)).isFalse();
    }

    @Test
    void aConsistentGetSeesAWriteThatBypassedTheApi() throws Exception {
        assertThat(post("/api/v1/namespaces/default/configmaps",
                "{\"metadata\":{\"name\":\"c\"},\"data\":{\"k\":\"before\"}}").code()).isEqualTo(201);
        // encoded once and remembered
        assertThat(get("/api/v1/namespaces/default/configmaps/c").json().path("data").path("k").asString())
                .isEqualTo("before");

        // another API server of the same store (or a restore) writes a new version
        String key = "/registry/configmaps/default/c";
        KeyValue stored = store.get(key);
        assertThat(stored).as("the configmap's key").isNotNull();
        String changed = new String(stored.value(), StandardCharsets.UTF_8).replace("\"before\"", "\"after\"");
        long revision = store.update(key, stored.modRevision(), changed.getBytes(StandardCharsets.UTF_8), 0);

        Reply r = get("/api/v1/namespaces/default/configmaps/c");
        assertThat(r.json().path("data").path("k").asString()).isEqualTo("after");
        assertThat(r.json().path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(revision));
    }

    @Test
    void aResourceVersionIsReadAsTheStoresRevision() {
        assertThat(RestStorage.revisionOf("0")).isZero();
        assertThat(RestStorage.revisionOf("123456789")).isEqualTo(123456789L);
        assertThat(RestStorage.revisionOf("")).isEqualTo(-1);
        assertThat(RestStorage.revisionOf("12a")).isEqualTo(-1);
        assertThat(RestStorage.revisionOf("-5")).isEqualTo(-1);
        assertThat(RestStorage.revisionOf("1234567890123456789012")).isEqualTo(-1);
    }
}

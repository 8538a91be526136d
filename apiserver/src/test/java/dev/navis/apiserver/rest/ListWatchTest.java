package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

@Timeout(60)
class ListWatchTest extends RestTestBase {

    private void configMaps(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            assertThat(post("/api/v1/namespaces/default/configmaps",
                    "{\"metadata\":{\"name\":\"cm" + i + "\",\"labels\":{\"idx\":\"" + (i % 2) + "\"}}}").code())
                    .isEqualTo(201);
        }
        awaitWatchCache();
    }

    /** Waits until the configmaps watch cache has seen every write (it follows the store asynchronously). */
    private void awaitWatchCache() throws Exception {
        long want = store.currentRevision();
        while (Long.parseLong(get("/api/v1/configmaps?resourceVersion=0").json().path("metadata")
                .path("resourceVersion").asString()) < want) {
            Thread.sleep(5);
        }
    }

    @Test
    void listWithSelectorsAndPaging() throws Exception {
        configMaps(5);
        Reply all = get("/api/v1/namespaces/default/configmaps");
        assertThat(all.json().path("kind").asString()).isEqualTo("ConfigMapList");
        assertThat(all.json().path("items").size()).isEqualTo(5);
        assertThat(all.json().path("metadata").path("resourceVersion").asString())
                .isEqualTo(Long.toString(store.currentRevision()));

        assertThat(get("/api/v1/namespaces/default/configmaps?labelSelector=idx%3D0").json().path("items").size())
                .isEqualTo(3);
        assertThat(get("/api/v1/configmaps?labelSelector=idx%20in%20(1)").json().path("items").size()).isEqualTo(2);
        assertThat(get("/api/v1/configmaps?fieldSelector=metadata.name%3Dcm3").json().path("items").size())
                .isEqualTo(1);

        List<String> names = new ArrayList<>();
        String cont = "";
        int pages = 0;
        do {
            Reply page = get("/api/v1/namespaces/default/configmaps?limit=2" + (cont.isEmpty() ? "" : "&continue=" + cont));
            assertThat(page.code()).isEqualTo(200);
            page.json().path("items").forEach(i -> names.add(i.path("metadata").path("name").asString()));
            cont = page.json().path("metadata").path("continue").asString("");
            if (!cont.isEmpty()) {
                assertThat(page.json().path("metadata").path("remainingItemCount").asInt()).isGreaterThan(0);
            }
            pages++;
        } while (!cont.isEmpty());
        assertThat(pages).isEqualTo(3);
        assertThat(names).containsExactly("cm0", "cm1", "cm2", "cm3", "cm4");

        Reply fromCache = get("/api/v1/namespaces/default/configmaps?resourceVersion=0");
        assertThat(fromCache.json().path("items").size()).isEqualTo(5);
    }

    @Test
    void continueTooOldIsExpired() throws Exception {
        configMaps(3);
        Reply first = get("/api/v1/namespaces/default/configmaps?limit=1");
        String cont = first.json().path("metadata").path("continue").asString();
        post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"later\"}}");
        store.compact(store.currentRevision());
        Reply expired = get("/api/v1/namespaces/default/configmaps?limit=1&continue=" + cont);
        assertThat(expired.code()).isEqualTo(410);
        assertThat(expired.json().path("reason").asString()).isEqualTo("Expired");
        assertThat(expired.json().path("message").asString()).startsWith("The provided continue parameter is too old");
        assertThat(get("/api/v1/namespaces/default/configmaps?continue=garbage").code()).isEqualTo(400);
    }

    @Test
    void exactResourceVersionList() throws Exception {
        configMaps(2);
        String rv = Long.toString(store.currentRevision());
        post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"third\"}}");
        Reply exact = get("/api/v1/namespaces/default/configmaps?resourceVersion=" + rv + "&resourceVersionMatch=Exact");
        assertThat(exact.json().path("items").size()).isEqualTo(2);
        assertThat(exact.json().path("metadata").path("resourceVersion").asString()).isEqualTo(rv);
        assertThat(get("/api/v1/configmaps?resourceVersionMatch=Exact").code()).isEqualTo(400);
    }

    @Test
    void watchFromNowFromRevisionAndSelectors() throws Exception {
        configMaps(2);
        String rv = Long.toString(store.currentRevision());
        try (WatchLines w = new WatchLines("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + rv, null)) {
            assertThat(w.code).isEqualTo(200);
            post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"new\"}}");
            JsonNode e = w.next();
            assertThat(e.path("type").asString()).isEqualTo("ADDED");
            assertThat(e.path("object").path("metadata").path("name").asString()).isEqualTo("new");
            assertThat(e.path("object").path("kind").asString()).isEqualTo("ConfigMap");
            patch("/api/v1/namespaces/default/configmaps/new", "application/merge-patch+json", "{\"data\":{\"a\":\"b\"}}");
            assertThat(w.next().path("type").asString()).isEqualTo("MODIFIED");
            delete("/api/v1/namespaces/default/configmaps/new");
            JsonNode d = w.next();
            assertThat(d.path("type").asString()).isEqualTo("DELETED");
            assertThat(Long.parseLong(d.path("object").path("metadata").path("resourceVersion").asString()))
                    .isEqualTo(store.currentRevision());
        }
        // rv unset: the current state first as ADDED, then changes; legacy /watch/ path; label selector
        try (WatchLines w = new WatchLines("/api/v1/watch/namespaces/default/configmaps?labelSelector=idx%3D1", null)) {
            JsonNode e = w.next();
            assertThat(e.path("type").asString()).isEqualTo("ADDED");
            assertThat(e.path("object").path("metadata").path("name").asString()).isEqualTo("cm1");
            // an object that starts matching is ADDED, one that stops matching is DELETED
            patch("/api/v1/namespaces/default/configmaps/cm0", "application/merge-patch+json",
                    "{\"metadata\":{\"labels\":{\"idx\":\"1\"}}}");
            JsonNode added = w.next();
            assertThat(added.path("type").asString()).isEqualTo("ADDED");
            assertThat(added.path("object").path("metadata").path("name").asString()).isEqualTo("cm0");
            patch("/api/v1/namespaces/default/configmaps/cm1", "application/merge-patch+json",
                    "{\"metadata\":{\"labels\":{\"idx\":\"7\"}}}");
            JsonNode gone = w.next();
            assertThat(gone.path("type").asString()).isEqualTo("DELETED");
            assertThat(gone.path("object").path("metadata").path("name").asString()).isEqualTo("cm1");
        }
    }

    @Test
    void watchTooOldGetsExpiredErrorEvent() throws Exception {
        configMaps(60); // more than the event window of 50
        try (WatchLines w = new WatchLines("/api/v1/configmaps?watch=true&resourceVersion=2", null)) {
            assertThat(w.code).isEqualTo(200);
            JsonNode e = w.next();
            assertThat(e.path("type").asString()).isEqualTo("ERROR");
            assertThat(e.path("object").path("code").asInt()).isEqualTo(410);
            assertThat(e.path("object").path("reason").asString()).isEqualTo("Expired");
            assertThat(e.path("object").path("message").asString()).startsWith("too old resource version: 2");
            assertThat(w.next()).isNull();
        }
    }

    @Test
    void booleanParametersReadAsUpstreamReadsThem() throws Exception {
        configMaps(1);
        // anything but "false" and "0" is true, the empty value too: these are watches, not lists
        for (String watch : new String[] {"watch", "watch=", "watch=yes", "watch=TRUE"}) {
            try (WatchLines w = new WatchLines("/api/v1/configmaps?" + watch + "&timeoutSeconds=1", null)) {
                assertThat(w.code).isEqualTo(200);
                assertThat(w.next().path("type").asString()).as(watch).isEqualTo("ADDED");
            }
        }
        for (String list : new String[] {"watch=false", "watch=0", "watch=False"}) {
            assertThat(get("/api/v1/configmaps?" + list).json().path("kind").asString()).as(list)
                    .isEqualTo("ConfigMapList");
        }
    }

    @Test
    void watchTimeoutAndBookmarks() throws Exception {
        configMaps(1);
        String rv = Long.toString(store.currentRevision());
        try (WatchLines w = new WatchLines("/api/v1/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=2"
                + "&resourceVersion=" + rv, null)) {
            JsonNode e = w.next();
            assertThat(e.path("type").asString()).isEqualTo("BOOKMARK");
            assertThat(e.path("object").path("kind").asString()).isEqualTo("ConfigMap");
            assertThat(e.path("object").path("metadata").path("resourceVersion").asString()).isEqualTo(rv);
            JsonNode n;
            while ((n = w.next()) != null) {
                assertThat(n.path("type").asString()).isEqualTo("BOOKMARK");
            }
        }
    }

    @Test
    void sendInitialEventsEndsWithAnnotatedBookmark() throws Exception {
        configMaps(2);
        try (WatchLines w = new WatchLines("/api/v1/configmaps?watch=1&sendInitialEvents=true&allowWatchBookmarks=true"
                + "&resourceVersionMatch=NotOlderThan&timeoutSeconds=5", null)) {
            assertThat(w.next().path("type").asString()).isEqualTo("ADDED");
            assertThat(w.next().path("type").asString()).isEqualTo("ADDED");
            JsonNode b = w.next();
            assertThat(b.path("type").asString()).isEqualTo("BOOKMARK");
            assertThat(b.path("object").path("metadata").path("annotations").path("k8s.io/initial-events-end")
                    .asString()).isEqualTo("true");
        }
    }
}

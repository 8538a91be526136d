package dev.navis.storage.etcd;

import dev.navis.storage.KeyExistsException;
import dev.navis.storage.KeyValue;
import dev.navis.storage.StoreException;
import dev.navis.storage.Watch;
import dev.navis.storage.WatchEvent;
import dev.navis.storage.WatchListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link EtcdStore} on a 3-member etcd cluster on loopback: writes and watches survive losing the leader. */
class EtcdClusterStoreTest {

    private EtcdCluster cluster;
    private EtcdStore store;

    @BeforeAll
    static void needEtcd() {
        assumeTrue(EtcdCluster.available(), "skipped: " + EtcdCluster.ETCD + " is not installed (Debian package etcd-server)");
    }

    @AfterEach
    void stop() {
        if (store != null) {
            store.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void writesAndWatchesContinueWhenAMemberIsKilledWhileWriting() {
        cluster = EtcdCluster.start(3, Duration.ofSeconds(1));
        store = new EtcdStore(EtcdConfig.plain(cluster.clientUrls()).newClient(), 64);
        long start = store.currentRevision();
        List<WatchEvent> seen = Collections.synchronizedList(new ArrayList<>());
        try (Watch w = store.watch("/c/", start + 1, new WatchListener() {
            @Override
            public void onEvent(WatchEvent event) {
                seen.add(event);
            }
        })) {
            AtomicInteger retried = new AtomicInteger();
            int total = 300;
            for (int i = 0; i < total; i++) {
                if (i == 100) {
                    cluster.kill(leader()); // the hardest member to lose: writes wait for a new election
                }
                createOnce("/c/" + i, retried);
            }
            long last = store.currentRevision();
            assertThat(store.count("/c/")).isEqualTo(total);
            assertThat(last - start).isEqualTo(total);
            await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == total);
            List<Long> revisions = seen.stream().map(WatchEvent::revision).toList();
            List<Long> expected = new ArrayList<>();
            for (long r = start + 1; r <= last; r++) {
                expected.add(r);
            }
            assertThat(revisions).containsExactlyElementsOf(expected);
            KeyValue kv = store.get("/c/299");
            assertThat(new String(kv.value(), StandardCharsets.UTF_8)).isEqualTo("v299");
        }
    }

    /** The member that leads the raft group now, from each member's status. */
    private EtcdCluster.Member leader() {
        try {
            for (EtcdCluster.Member m : cluster.members()) {
                var status = store.client().getMaintenanceClient().statusMember(m.clientUrl()).get(10, java.util.concurrent.TimeUnit.SECONDS);
                if (status.getLeader() == status.getHeader().getMemberId()) {
                    return m;
                }
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no member leads");
    }

    /**
     * Creates a key, retrying after a failure whose outcome is unknown (the member answering died): a retry
     * that finds the key with this writer's value means the first attempt was applied.
     */
    private void createOnce(String key, AtomicInteger retried) {
        String value = "v" + key.substring(key.lastIndexOf('/') + 1);
        for (int attempt = 0; ; attempt++) {
            try {
                store.create(key, value.getBytes(StandardCharsets.UTF_8), 0);
                return;
            } catch (KeyExistsException e) {
                assertThat(attempt).as("a first attempt cannot find its key existing").isPositive();
                assertThat(new String(store.get(key).value(), StandardCharsets.UTF_8)).isEqualTo(value);
                return;
            } catch (StoreException e) {
                retried.incrementAndGet();
                assertThat(attempt).as("retries of " + key + ": " + e.getMessage()).isLessThan(20);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(ie);
                }
            }
        }
    }
}

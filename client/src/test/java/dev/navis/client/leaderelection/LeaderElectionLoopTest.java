package dev.navis.client.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.util.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LeaderElectionLoopTest {

    private final FakeKubeClient api = new FakeKubeClient(Clock.SYSTEM);

    private LeaderElectionLoop candidate(String id, LeaderElectorTest.Events events) {
        // short timings on the real clock: the loop's own threads sleep between attempts
        LeaderElectionConfig config = new LeaderElectionConfig("kube-system", "kube-controller-manager", id,
                Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(100), true);
        return new LeaderElectionLoop(api, config, events, Clock.SYSTEM, "test-" + id);
    }

    @Test
    void aStandbyTakesOverWhenTheLeaderClosesAndReleases() throws Exception {
        LeaderElectorTest.Events ea = new LeaderElectorTest.Events();
        LeaderElectorTest.Events eb = new LeaderElectorTest.Events();
        LeaderElectionLoop a = candidate("a", ea);
        LeaderElectionLoop b = candidate("b", eb);
        try {
            a.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> ea.seen.contains("started"));
            b.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> eb.seen.contains("leader a"));
            assertThat(b.isLeader()).isFalse();
            assertThat(eb.seen).doesNotContain("started");

            a.close();
            assertThat(ea.seen).containsSubsequence("started", "stopped");
            assertThat(api.leases().namespace("kube-system").get("kube-controller-manager").getSpec()
                    .getHolderIdentity()).as("released on close").isNotEqualTo("a");
            await().atMost(Duration.ofSeconds(10)).until(() -> eb.seen.contains("started"));
            assertThat(b.leader()).isEqualTo("b");
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void aLeaderThatResignsStopsItsTermAndCampaignsAgain() throws Exception {
        LeaderElectorTest.Events ea = new LeaderElectorTest.Events();
        LeaderElectionLoop a = candidate("a", ea);
        try {
            a.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> ea.seen.contains("started"));
            a.resign();
            // alone, it wins the released lease again: a second term
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ea.seen.stream().filter("started"::equals).count() == 2);
            assertThat(ea.seen).containsSubsequence("started", "stopped", "started");
        } finally {
            a.close();
        }
        assertThat(ea.seen.getLast()).isEqualTo("stopped");
    }
}

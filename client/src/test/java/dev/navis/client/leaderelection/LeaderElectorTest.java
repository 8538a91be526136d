package dev.navis.client.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LeaderElectorTest {

    private final FakeClock clock = new FakeClock();
    private final FakeKubeClient api = new FakeKubeClient(clock);

    static final class Events implements LeaderCallbacks {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onStartedLeading() {
            seen.add("started");
        }

        @Override
        public void onStoppedLeading() {
            seen.add("stopped");
        }

        @Override
        public void onNewLeader(String identity) {
            seen.add("leader " + identity);
        }
    }

    private LeaderElector candidate(String id, Events events) {
        return new LeaderElector(api, LeaderElectionConfig.defaults("kube-system", "kube-scheduler", id), events, clock);
    }

    private Lease lease() {
        return api.leases().namespace("kube-system").get("kube-scheduler");
    }

    @Test
    void onlyOneOfTwoCandidatesLeads() {
        Events ea = new Events();
        Events eb = new Events();
        LeaderElector a = candidate("a", ea);
        LeaderElector b = candidate("b", eb);

        assertThat(a.tryAcquireOrRenew()).isTrue();
        assertThat(b.tryAcquireOrRenew()).isFalse();
        assertThat(a.isLeader()).isTrue();
        assertThat(b.isLeader()).isFalse();
        assertThat(b.leader()).isEqualTo("a");
        assertThat(eb.seen).containsExactly("leader a");

        Lease l = lease();
        assertThat(l.getSpec().getHolderIdentity()).isEqualTo("a");
        assertThat(l.getSpec().getLeaseDurationSeconds()).isEqualTo(15);
        assertThat(l.getSpec().getLeaseTransitions()).isZero();
        assertThat(l.getSpec().getAcquireTime().toInstant()).isEqualTo(clock.now());
    }

    @Test
    void leaderRenewsAndKeepsItsAcquireTime() {
        LeaderElector a = candidate("a", new Events());
        a.tryAcquireOrRenew();
        var acquired = lease().getSpec().getAcquireTime();
        clock.advance(Duration.ofSeconds(2));
        assertThat(a.tryAcquireOrRenew()).isTrue();
        assertThat(lease().getSpec().getAcquireTime()).isEqualTo(acquired);
        assertThat(lease().getSpec().getRenewTime().toInstant()).isEqualTo(clock.now());
        assertThat(lease().getSpec().getLeaseTransitions()).isZero();
    }

    @Test
    void anotherCandidateTakesOverOnlyAfterTheLeaseExpires() {
        Events eb = new Events();
        LeaderElector a = candidate("a", new Events());
        LeaderElector b = candidate("b", eb);
        a.tryAcquireOrRenew();
        assertThat(b.tryAcquireOrRenew()).isFalse(); // b observes a's record now

        clock.advance(Duration.ofSeconds(14));
        assertThat(b.tryAcquireOrRenew()).as("14 s: not expired yet").isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(b.tryAcquireOrRenew()).as("15 s without change: expired").isTrue();

        Lease l = lease();
        assertThat(l.getSpec().getHolderIdentity()).isEqualTo("b");
        assertThat(l.getSpec().getLeaseTransitions()).isEqualTo(1);
        assertThat(l.getSpec().getAcquireTime().toInstant()).isEqualTo(clock.now());
        assertThat(a.tryAcquireOrRenew()).as("the old leader sees it lost").isFalse();
        assertThat(a.leader()).isEqualTo("b");
        assertThat(eb.seen).containsExactly("leader a", "leader b");
    }

    @Test
    void aStandbyTriesAgainNoLaterThanWhenTheObservedRecordExpires() {
        LeaderElector a = candidate("a", new Events());
        LeaderElector b = candidate("b", new Events());
        a.tryAcquireOrRenew();
        assertThat(b.tryAcquireOrRenew()).isFalse();
        assertThat(b.untilNextAttempt()).as("a jittered retry period")
                .isBetween(Duration.ofSeconds(2).toNanos(), Duration.ofMillis(2400).toNanos());

        clock.advance(Duration.ofSeconds(14));
        assertThat(b.tryAcquireOrRenew()).isFalse();
        assertThat(b.untilNextAttempt()).as("the lease expires in 1 s").isEqualTo(Duration.ofSeconds(1).toNanos());
        clock.advance(Duration.ofSeconds(1));
        assertThat(b.tryAcquireOrRenew()).isTrue();
    }

    @Test
    void serverTimingsAreValidAndShorterThanUpstreams() {
        var server = LeaderElectionConfig.of("kube-system", "kube-scheduler", "a", LeaderElectionConfig.Timings.SERVER);
        double worstTakeover = server.leaseDuration().toMillis() / 1000.0 + 1.2 * server.retryPeriod().toMillis() / 1000.0;
        assertThat(worstTakeover).isLessThanOrEqualTo(12.5);
        assertThat(server.renewDeadline().plus(server.retryPeriod())).isLessThan(server.leaseDuration());
    }

    @Test
    void renewalsByTheLeaderKeepOthersOut() {
        LeaderElector a = candidate("a", new Events());
        LeaderElector b = candidate("b", new Events());
        a.tryAcquireOrRenew();
        for (int i = 0; i < 10; i++) {
            b.tryAcquireOrRenew();
            clock.advance(Duration.ofSeconds(10));
            assertThat(a.tryAcquireOrRenew()).isTrue();
        }
        assertThat(b.tryAcquireOrRenew()).isFalse();
    }

    @Test
    void runLeadsUntilStoppedThenReleasesForTheNextCandidate() throws Exception {
        Events ea = new Events();
        LeaderElector a = candidate("a", ea);
        Thread runner = Thread.ofPlatform().start(a::run);
        await().atMost(Duration.ofSeconds(10)).until(() -> ea.seen.contains("started"));
        a.stop();
        runner.join(10_000);
        assertThat(runner.isAlive()).isFalse();
        assertThat(ea.seen).containsExactly("leader a", "started", "stopped");
        assertThat(lease().getSpec().getHolderIdentity()).as("released").isNull();
        assertThat(lease().getSpec().getLeaseDurationSeconds()).isEqualTo(1);

        LeaderElector b = candidate("b", new Events());
        assertThat(b.tryAcquireOrRenew()).as("no need to wait for expiry").isTrue();
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(1);
    }

    @Test
    void leaderThatCannotRenewWithinTheDeadlineStopsLeading() throws Exception {
        Events ea = new Events();
        LeaderElector a = candidate("a", ea);
        Thread runner = Thread.ofPlatform().start(a::run);
        await().atMost(Duration.ofSeconds(10)).until(() -> ea.seen.contains("started"));

        // someone else holds the lease from now on: every renewal fails
        Lease stolen = lease();
        stolen.getSpec().setHolderIdentity("intruder");
        api.leases().update(stolen);
        for (int i = 0; i < 20 && runner.isAlive(); i++) {
            await().atMost(Duration.ofSeconds(10)).until(() -> clock.waiters() > 0 || !runner.isAlive());
            clock.advance(Duration.ofSeconds(2));
        }
        runner.join(10_000);
        assertThat(runner.isAlive()).isFalse();
        assertThat(ea.seen).containsExactly("leader a", "started", "leader intruder", "stopped");
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("intruder");
    }
}

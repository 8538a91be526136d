package dev.navis.controllers.ttlafterfinished;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The TTL-after-finished controller against the fake API: one sync, exact actions. */
class TtlAfterFinishedControllerTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final SharedInformerFactory informers = new SharedInformerFactory(api, Duration.ZERO, null, clock,
            Backoff.REFLECTOR_DEFAULT);
    private final TtlAfterFinishedController controller =
            new TtlAfterFinishedController(new ControllerContext(api, informers), clock);

    @Test
    void expiredJobIsDeletedInForegroundWithUidPrecondition() {
        Job job = observe(finished("done", 30, NOW.minusSeconds(30)));

        controller.sync("default/done");

        assertThat(actions()).containsExactly("get jobs default/done", "delete jobs default/done");
        DeleteOptions options = (DeleteOptions) api.actions(Set.of("list", "watch")).get(1).object();
        assertThat(options.getPropagationPolicy()).isEqualTo("Foreground");
        assertThat(options.getPreconditions().getUid()).isEqualTo(job.getMetadata().getUid());
    }

    @Test
    void jobNotYetDueIsRequeuedForItsExpiry() {
        observe(finished("done", 60, NOW.minusSeconds(30)));

        controller.sync("default/done");

        assertThat(actions()).isEmpty();
        assertThat(controller.queue.waitingCount()).isEqualTo(1);
    }

    @Test
    void runningJobOrJobWithoutTtlIsLeftAlone() {
        Job running = finished("running", 0, NOW.minusSeconds(30));
        running.getStatus().setConditions(null);
        observe(running);
        Job noTtl = finished("kept", 0, NOW.minusSeconds(3600));
        noTtl.getSpec().setTtlSecondsAfterFinished(null);
        observe(noTtl);

        controller.sync("default/running");
        controller.sync("default/kept");

        assertThat(actions()).isEmpty();
        assertThat(controller.queue.waitingCount()).isZero();
    }

    private static Job finished(String name, int ttl, Instant finishedAt) {
        return new JobBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withTtlSecondsAfterFinished(ttl).endSpec()
                .withNewStatus().addNewCondition().withType("Complete").withStatus("True")
                .withLastTransitionTime(finishedAt.toString()).endCondition().endStatus().build();
    }

    private Job observe(Job job) {
        api.seed(job);
        Job stored = api.jobs().namespace("default").get(job.getMetadata().getName());
        informers.informer(Job.class).indexer().put(Keys.of(stored), stored);
        api.clearActions();
        return stored;
    }

    private java.util.List<String> actions() {
        return api.actions(Set.of("list", "watch")).stream().map(Action::toString).toList();
    }
}

package dev.navis.client.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Events as core/v1 Events on the fake API; repeats within 10 minutes raise the count of the stored one. */
class EventBroadcasterTest {

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T12:00:00Z"));
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final EventBroadcaster broadcaster = new EventBroadcaster(api, clock, false);
    private final Job job = new JobBuilder().withApiVersion("batch/v1").withKind("Job").withNewMetadata().withName("pi")
            .withNamespace("default").withUid("u1").withResourceVersion("7").endMetadata().build();

    @Test
    void writesAnEventAboutTheObject() {
        broadcaster.recorder("job-controller").event(job, EventRecorder.NORMAL, "Completed", "Job completed");
        broadcaster.writeQueued();

        Event e = api.events().namespace("default").list().items().get(0);
        assertThat(actions()).containsExactly("create events default/" + e.getMetadata().getName());
        assertThat(e.getMetadata().getName()).startsWith("pi.");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Job");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo("u1");
        assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("batch/v1");
        assertThat(e.getType()).isEqualTo("Normal");
        assertThat(e.getReason()).isEqualTo("Completed");
        assertThat(e.getMessage()).isEqualTo("Job completed");
        assertThat(e.getSource().getComponent()).isEqualTo("job-controller");
        assertThat(e.getReportingComponent()).isEqualTo("job-controller");
        assertThat(e.getCount()).isEqualTo(1);
        assertThat(e.getFirstTimestamp()).isEqualTo("2026-01-01T12:00:00Z");
    }

    @Test
    void repeatsAreAggregatedForTenMinutes() {
        EventRecorder r = broadcaster.recorder("job-controller");
        r.event(job, EventRecorder.WARNING, "FailedCreate", "Error creating: quota");
        broadcaster.writeQueued();
        clock.advance(Duration.ofMinutes(1));
        r.event(job, EventRecorder.WARNING, "FailedCreate", "Error creating: quota");
        broadcaster.writeQueued();

        Event e = api.events().namespace("default").list().items().get(0);
        assertThat(actions()).containsExactly("create events default/" + e.getMetadata().getName(),
                "patch events default/" + e.getMetadata().getName());
        assertThat(e.getCount()).isEqualTo(2);
        assertThat(e.getLastTimestamp()).isEqualTo("2026-01-01T12:01:00Z");

        clock.advance(Duration.ofMinutes(10));
        r.event(job, EventRecorder.WARNING, "FailedCreate", "Error creating: quota");
        r.event(job, EventRecorder.WARNING, "FailedCreate", "Error creating: other");
        broadcaster.writeQueued();
        assertThat(api.events().namespace("default").list().items()).hasSize(3);
    }

    private List<String> actions() {
        return api.actions(Set.of("list", "watch", "get")).stream().map(Action::toString).toList();
    }
}

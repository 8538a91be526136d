package dev.navis.client.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeKubeClient;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The broadcaster against the fake API, drained on the test thread: exact writes, no sleeps. */
class EventBroadcasterTest {

    private final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T12:00:00Z"));
    private final FakeKubeClient api = new FakeKubeClient(clock);
    private final EventBroadcaster broadcaster = new EventBroadcaster(api, clock);
    private final EventRecorder recorder = broadcaster.recorder("replicaset-controller");
    private final ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withNamespace("default").withName("web")
            .withUid("rs-uid").withResourceVersion("7").endMetadata().build();

    @Test
    void createsACoreEventAboutTheObject() {
        recorder.eventf(rs, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: %s", "web-abc");
        assertThat(broadcaster.drain()).isEqualTo(1);

        assertThat(api.actions()).extracting(Action::verb).containsExactly("create");
        Event e = api.events().namespace("default").list().items().get(0);
        assertThat(e.getMetadata().getName()).startsWith("web.").isEqualTo("web." + Long.toHexString(
                Instant.parse("2026-01-01T12:00:00Z").getEpochSecond() * 1_000_000_000L));
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("ReplicaSet");
        assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("apps/v1");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo("rs-uid");
        assertThat(e.getInvolvedObject().getNamespace()).isEqualTo("default");
        assertThat(e.getReason()).isEqualTo("SuccessfulCreate");
        assertThat(e.getMessage()).isEqualTo("Created pod: web-abc");
        assertThat(e.getType()).isEqualTo("Normal");
        assertThat(e.getCount()).isEqualTo(1);
        assertThat(e.getFirstTimestamp()).isEqualTo("2026-01-01T12:00:00Z").isEqualTo(e.getLastTimestamp());
        assertThat(e.getSource().getComponent()).isEqualTo("replicaset-controller");
        assertThat(e.getReportingComponent()).isEqualTo("replicaset-controller");
    }

    @Test
    void aRepeatWithinTenMinutesPatchesTheCount() {
        recorder.event(rs, EventRecorder.WARNING, "FailedCreate", "quota exceeded");
        broadcaster.drain();
        clock.advance(Duration.ofMinutes(3));
        recorder.event(rs, EventRecorder.WARNING, "FailedCreate", "quota exceeded");
        recorder.event(rs, EventRecorder.WARNING, "FailedCreate", "another message");
        broadcaster.drain();

        assertThat(api.actions()).extracting(Action::toString).containsExactly("create events default/" + firstName(),
                "patch events default/" + firstName(), "create events default/" + secondName());
        Event first = api.events().namespace("default").get(firstName());
        assertThat(first.getCount()).isEqualTo(2);
        assertThat(first.getFirstTimestamp()).isEqualTo("2026-01-01T12:00:00Z");
        assertThat(first.getLastTimestamp()).isEqualTo("2026-01-01T12:03:00Z");
        assertThat(api.actions().get(1).patch())
                .isEqualTo("{\"count\":2,\"lastTimestamp\":\"2026-01-01T12:03:00Z\",\"message\":\"quota exceeded\"}");

        clock.advance(Duration.ofMinutes(11));
        api.clearActions();
        recorder.event(rs, EventRecorder.WARNING, "FailedCreate", "quota exceeded");
        broadcaster.drain();
        assertThat(api.actions()).extracting(Action::verb).as("outside the window: a new event")
                .containsExactly("create");
    }

    @Test
    void aRepeatOfADeletedEventIsCreatedAgain() {
        recorder.event(rs, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted pod: web-1");
        broadcaster.drain();
        api.events().namespace("default").delete(firstName());
        api.clearActions();

        recorder.event(rs, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted pod: web-1");
        broadcaster.drain();

        assertThat(api.actions()).extracting(Action::verb).containsExactly("patch", "create");
        assertThat(api.events().namespace("default").list().items()).singleElement()
                .satisfies(e -> assertThat(e.getCount()).isEqualTo(2));
    }

    @Test
    void clusterScopedObjectsGetEventsInDefault() {
        Node node = new NodeBuilder().withNewMetadata().withName("n1").withUid("n1-uid").endMetadata().build();
        broadcaster.recorder("node-controller").event(node, EventRecorder.NORMAL, "RegisteredNode",
                "Node n1 event: Registered Node n1 in Controller");
        broadcaster.drain();
        Event e = api.events().namespace("default").list().items().get(0);
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
        assertThat(e.getInvolvedObject().getNamespace()).isNull();
    }

    @Test
    void spamFilterAllows25EventsPerObjectThenOneEveryFiveMinutes() {
        for (int i = 0; i < 30; i++) {
            recorder.event(rs, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: web-" + i);
        }
        broadcaster.drain();
        assertThat(api.events().namespace("default").list().items()).hasSize(25);
        assertThat(broadcaster.filtered()).isEqualTo(5);

        clock.advance(Duration.ofMinutes(5));
        recorder.event(rs, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: web-x");
        recorder.event(rs, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: web-y");
        broadcaster.drain();
        assertThat(api.events().namespace("default").list().items()).hasSize(26);
    }

    @Test
    void aFullQueueDropsInsteadOfBlocking() {
        for (int i = 0; i < EventBroadcaster.QUEUE_LENGTH + 10; i++) {
            recorder.event(rs, EventRecorder.NORMAL, "R", "m" + i);
        }
        assertThat(broadcaster.dropped()).isEqualTo(10);
    }

    @Test
    void theSenderThreadWritesQueuedEvents() throws Exception {
        broadcaster.start();
        try {
            recorder.event(rs, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: web-1");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> api.events().namespace("default").list().items().size() == 1);
        } finally {
            broadcaster.close();
        }
    }

    private String secondName() {
        return api.events().namespace("default").list().items().stream()
                .map(e -> e.getMetadata().getName()).sorted().skip(1).findFirst().orElseThrow();
    }

    private String firstName() {
        return api.events().namespace("default").list().items().stream()
                .map(e -> e.getMetadata().getName()).sorted().findFirst().orElseThrow();
    }
}

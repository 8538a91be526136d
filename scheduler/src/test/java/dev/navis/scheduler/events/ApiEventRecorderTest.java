package dev.navis.scheduler.events;

import static dev.navis.scheduler.Fixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.scheduler.framework.EventRecorder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiEventRecorderTest {

    @Test
    void writesAnEventAboutThePodOnceClosed() throws Exception {
        FakeKubeClient client = new FakeKubeClient();
        Pod p = pod("web");
        p.getMetadata().setUid("uid-1");
        p.getMetadata().setResourceVersion("7");
        ApiEventRecorder recorder = new ApiEventRecorder(client, "default-scheduler", "sched-1");
        recorder.event(p, EventRecorder.NORMAL, "Scheduled", "Binding", "Successfully assigned default/web to n1");
        recorder.close(); // flushes the queue

        List<Event> events = client.events().namespace("default").list().items();
        assertThat(events).hasSize(1);
        Event e = events.get(0);
        assertThat(e.getMetadata().getName()).startsWith("web.");
        assertThat(e.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
        assertThat(e.getInvolvedObject().getApiVersion()).isEqualTo("v1");
        assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo("uid-1");
        assertThat(e.getInvolvedObject().getResourceVersion()).isEqualTo("7");
        assertThat(e.getType()).isEqualTo("Normal");
        assertThat(e.getReason()).isEqualTo("Scheduled");
        assertThat(e.getAction()).isEqualTo("Binding");
        assertThat(e.getMessage()).isEqualTo("Successfully assigned default/web to n1");
        assertThat(e.getSource().getComponent()).isEqualTo("default-scheduler");
        assertThat(e.getReportingComponent()).isEqualTo("default-scheduler");
        assertThat(e.getReportingInstance()).isEqualTo("sched-1");
        assertThat(e.getCount()).isEqualTo(1);
        assertThat(e.getFirstTimestamp()).isEqualTo(e.getLastTimestamp()).endsWith("Z");
    }
}

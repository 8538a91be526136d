package dev.navis.client.fake;

import dev.navis.client.events.EventRecorder;
import dev.navis.client.events.EventRecorderFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/**
 * Records events in memory, as client-go's record.FakeRecorder: each as {@code "<type> <reason> <message>"}
 * (e.g. "Normal SuccessfulCreate Created pod: web-x"), for controller tests to assert on. Every component's
 * recorder writes to the same list.
 */
public final class FakeEventRecorder implements EventRecorder, EventRecorderFactory {

    /** One recorded event. */
    public record Recorded(String component, HasMetadata object, String type, String reason, String message) {
        @Override
        public String toString() {
            return type + " " + reason + " " + message;
        }
    }

    private final List<Recorded> recorded = new ArrayList<>();

    @Override
    public EventRecorder recorder(String component) {
        return (object, type, reason, message) -> add(new Recorded(component, object, type, reason, message));
    }

    @Override
    public void event(HasMetadata object, String type, String reason, String message) {
        add(new Recorded(null, object, type, reason, message));
    }

    private synchronized void add(Recorded r) {
        recorded.add(r);
    }

    /** The events so far as "type reason message", in order. */
    public synchronized List<String> events() {
        return recorded.stream().map(Recorded::toString).toList();
    }

    public synchronized List<Recorded> recorded() {
        return List.copyOf(recorded);
    }

    public synchronized void clear() {
        recorded.clear();
    }
}

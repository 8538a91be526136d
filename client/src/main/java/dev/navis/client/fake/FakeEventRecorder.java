package dev.navis.client.fake;

import dev.navis.client.record.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * client-go's record.FakeRecorder: keeps every event as {@code "<type> <reason> <message>"} so a controller
 * test asserts the events a sync recorded, in order. Serves as its own provider for every component.
 */
public final class FakeEventRecorder implements EventRecorder, EventRecorder.Provider {

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void event(HasMetadata regarding, String type, String reason, String message) {
        events.add(type + " " + reason + " " + message);
    }

    @Override
    public EventRecorder recorder(String component) {
        return this;
    }

    /** Every event so far, oldest first. */
    public List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    public void clear() {
        events.clear();
    }
}

package dev.navis.controllers;

import dev.navis.client.KubeClient;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.events.EventRecorderFactory;
import dev.navis.client.informer.SharedInformerFactory;

/**
 * What every controller is built from: the client of the API server, the informer factory shared by all
 * controllers of one manager (one list+watch and one cache per resource), and where events go (one
 * recorder per controller, named as upstream's component, e.g. "replicaset-controller").
 */
public record ControllerContext(KubeClient client, SharedInformerFactory informers, EventRecorderFactory events) {

    /** A context whose events are dropped. */
    public ControllerContext(KubeClient client, SharedInformerFactory informers) {
        this(client, informers, EventRecorderFactory.NOOP);
    }

    /** The recorder of one controller: events name {@code component} as their source. */
    public EventRecorder recorder(String component) {
        return events.recorder(component);
    }
}

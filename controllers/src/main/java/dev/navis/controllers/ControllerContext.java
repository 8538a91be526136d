package dev.navis.controllers;

import dev.navis.client.KubeClient;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.events.EventRecorderFactory;
import dev.navis.client.informer.SharedInformerFactory;

/**
 * What every controller is built from: the client of the API server, the informer factory shared by all
 * controllers of one manager (one list+watch and one cache per resource), where events go (one recorder per
 * controller, named as upstream's component, e.g. "replicaset-controller") and the manager's options.
 */
public record ControllerContext(KubeClient client, SharedInformerFactory informers, EventRecorderFactory events,
                                ControllerOptions options) {

    /** A context whose events are dropped, with default options. */
    public ControllerContext(KubeClient client, SharedInformerFactory informers) {
        this(client, informers, EventRecorderFactory.NOOP, ControllerOptions.defaults());
    }

    /** Default options. */
    public ControllerContext(KubeClient client, SharedInformerFactory informers, EventRecorderFactory events) {
        this(client, informers, events, ControllerOptions.defaults());
    }

    /** The recorder of one controller: events name {@code component} as their source. */
    public EventRecorder recorder(String component) {
        return events.recorder(component);
    }
}

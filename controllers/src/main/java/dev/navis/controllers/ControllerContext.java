package dev.navis.controllers;

import dev.navis.client.KubeClient;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.record.EventRecorder;

/**
 * What every controller is built from: the client of the API server, the informer factory shared by all
 * controllers of one manager (one list+watch and one cache per resource), and where its events go (one
 * recorder per component, e.g. {@code job-controller}).
 */
public record ControllerContext(KubeClient client, SharedInformerFactory informers, EventRecorder.Provider events) {

    /** A context whose events are dropped (tests that do not look at events). */
    public ControllerContext(KubeClient client, SharedInformerFactory informers) {
        this(client, informers, EventRecorder.Provider.NOOP);
    }
}

package dev.navis.controllers;

import dev.navis.client.KubeClient;
import dev.navis.client.informer.SharedInformerFactory;

/**
 * What every controller is built from: the client of the API server and the informer factory shared by all
 * controllers of one manager (one list+watch and one cache per resource).
 */
public record ControllerContext(KubeClient client, SharedInformerFactory informers) {
}

package dev.navis.cli;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;

/** Assembles the production API server: the embedded store and the REST API behind the plumbing. */
final class ApiServers {
    private ApiServers() {
    }

    static ApiServer create(ApiServerOptions options) {
        // wired once the store backend and the REST handler are merged
        throw new IllegalStateException("the store backend and REST API are not merged into this build yet");
    }
}

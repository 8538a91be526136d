package dev.navis.cli;

import dev.navis.apiserver.ApiServer;
import dev.navis.apiserver.ApiServerOptions;

/** Assembles the production API server: the embedded store and the REST API behind the plumbing. */
final class ApiServers {
    private ApiServers() {
    }

    static ApiServer create(ApiServerOptions options) {
        return ApiServer.create(options, ServedResources.all());
    }
}

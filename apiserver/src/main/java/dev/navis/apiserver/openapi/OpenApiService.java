package dev.navis.apiserver.openapi;

import dev.navis.api.ResourceDefinition;
import java.util.List;
import org.eclipse.jetty.server.Handler;

/**
 * The OpenAPI documents of the served resources: /openapi/v2 (one Swagger 2.0 document) and /openapi/v3 (a
 * discovery document plus one OpenAPI 3.0 document per group-version), with upstream's schemas, descriptions
 * and operation parameters. kubectl reads them for {@code explain} and to learn that the server validates
 * fields ({@code fieldValidation}). Documents are built on first request and cached as bytes.
 */
public final class OpenApiService {

    /** The Kubernetes version the documents announce and whose schemas they carry. */
    public static final String KUBERNETES_VERSION = "v1.32.0";

    private final OpenApiDocuments documents;
    private final OpenApiHandler handler;

    public OpenApiService(List<ResourceDefinition> resources) {
        this(resources, BuiltinSchemas.get());
    }

    OpenApiService(List<ResourceDefinition> resources, BuiltinSchemas schemas) {
        this.documents = new OpenApiDocuments(new ApiSurface(resources, schemas), KUBERNETES_VERSION, schemas);
        this.handler = new OpenApiHandler(documents);
    }

    /**
     * Serves GET/HEAD /openapi/v2, /openapi/v3 and /openapi/v3/{api/v1 | apis/GROUP/VERSION}; returns false
     * (declines) for every other path, so it can sit in a {@code Handler.Sequence} before the REST handler.
     */
    public Handler handler() {
        return handler;
    }

    /**
     * Publishes the schemas of custom resources too: {@code source} gives the served ones (an equal list means
     * nothing changed); each of their group-versions gets a v3 document, rebuilt when the list changes.
     */
    public void useCustomResources(java.util.function.Supplier<List<ResourceDefinition>> source) {
        documents.useCustomResources(source);
    }

    /**
     * Builds and caches all documents now instead of at the first request (about a second of CPU with every
     * built-in kind); call it from a background thread at server start if the first {@code kubectl explain}
     * should not wait.
     */
    public void prepare() {
        documents.v3Root();
        documents.v2();
    }

    OpenApiDocuments documents() {
        return documents;
    }
}

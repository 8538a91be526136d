package dev.navis.client.discovery;

import io.fabric8.kubernetes.api.model.APIResourceList;
import java.util.List;

/**
 * What the API server serves, read from the legacy discovery documents ({@code /api}, {@code /api/v1},
 * {@code /apis}, {@code /apis/GROUP/VERSION}), as client-go's discovery client.
 */
public interface DiscoveryClient {

    /**
     * One resource list per group at its preferred version (the core group's "v1" first), as client-go's
     * ServerPreferredResources. Each list's groupVersion is "v1" or "group/version"; subresources appear as
     * "pods/status" entries.
     */
    List<APIResourceList> serverPreferredResources();
}

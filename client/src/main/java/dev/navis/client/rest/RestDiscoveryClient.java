package dev.navis.client.rest;

import dev.navis.client.Json;
import dev.navis.client.discovery.DiscoveryClient;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.APIVersions;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import java.util.ArrayList;
import java.util.List;

/** {@link DiscoveryClient} over the legacy (unaggregated) discovery documents. */
final class RestDiscoveryClient implements DiscoveryClient {

    private final HttpTransport transport;

    RestDiscoveryClient(HttpTransport transport) {
        this.transport = transport;
    }

    @Override
    public List<APIResourceList> serverPreferredResources() {
        List<APIResourceList> out = new ArrayList<>();
        APIVersions core = get("/api", APIVersions.class);
        for (String version : core.getVersions()) {
            out.add(withGroupVersion(get("/api/" + version, APIResourceList.class), version));
            break; // the first listed core version is the preferred one
        }
        APIGroupList groups = get("/apis", APIGroupList.class);
        for (APIGroup group : groups.getGroups()) {
            GroupVersionForDiscovery preferred = group.getPreferredVersion() != null ? group.getPreferredVersion()
                    : group.getVersions().isEmpty() ? null : group.getVersions().get(0);
            if (preferred == null) {
                continue;
            }
            out.add(withGroupVersion(get("/apis/" + preferred.getGroupVersion(), APIResourceList.class),
                    preferred.getGroupVersion()));
        }
        return out;
    }

    private <T> T get(String path, Class<T> type) {
        return Json.read(transport.send("GET", path, null, null), type);
    }

    private static APIResourceList withGroupVersion(APIResourceList list, String groupVersion) {
        if (list.getGroupVersion() == null || list.getGroupVersion().isEmpty()) {
            list.setGroupVersion(groupVersion);
        }
        return list;
    }
}

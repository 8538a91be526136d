package dev.navis.controllers.endpointslice;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upstream's EndpointSliceTracker: remembers the controller's own slice writes per service (the
 * resourceVersion each create or update returned, or that a delete is pending) so that a sync never acts on
 * a cache that does not show them yet; acting then would, for instance, create a second slice for the same
 * endpoints. An expectation is dropped once the cache shows it (or the informer reports the slice deleted).
 * Resource versions are compared as numbers, which both Navis's store and the fake API use.
 */
public final class SliceTracker {

    private static final long DELETED = -1;

    private final Map<String, Map<String, Long>> expected = new ConcurrentHashMap<>();

    public void written(String service, EndpointSlice slice) {
        expected.computeIfAbsent(service, k -> new ConcurrentHashMap<>())
                .put(slice.getMetadata().getUid(), rv(slice));
    }

    public void expectDeleted(String service, EndpointSlice slice) {
        expected.computeIfAbsent(service, k -> new ConcurrentHashMap<>()).put(slice.getMetadata().getUid(), DELETED);
    }

    /** The informer saw the slice go. */
    public void deleted(String service, EndpointSlice slice) {
        Map<String, Long> m = expected.get(service);
        if (m != null) {
            m.remove(slice.getMetadata().getUid());
        }
    }

    public void forget(String service) {
        expected.remove(service);
    }

    /** True while {@code cached} (the service's slices in the cache) misses one of our writes. */
    public boolean stale(String service, List<EndpointSlice> cached) {
        Map<String, Long> m = expected.get(service);
        if (m == null || m.isEmpty()) {
            return false;
        }
        Map<String, EndpointSlice> byUid = new HashMap<>();
        cached.forEach(s -> byUid.put(s.getMetadata().getUid(), s));
        boolean stale = false;
        for (Iterator<Map.Entry<String, Long>> it = m.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> e = it.next();
            EndpointSlice c = byUid.get(e.getKey());
            boolean seen = e.getValue() == DELETED
                    ? c == null || c.getMetadata().getDeletionTimestamp() != null
                    : c != null && rv(c) >= e.getValue();
            if (seen) {
                it.remove();
            } else {
                stale = true;
            }
        }
        return stale;
    }

    private static long rv(EndpointSlice s) {
        try {
            return Long.parseLong(s.getMetadata().getResourceVersion());
        } catch (RuntimeException e) {
            return Long.MAX_VALUE; // not comparable: never wait for it
        }
    }
}

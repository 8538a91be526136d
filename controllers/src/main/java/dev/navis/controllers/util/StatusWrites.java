package dev.navis.controllers.util;

import dev.navis.client.ApiException;
import dev.navis.client.ResourceClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Upstream's status writers (updateStatefulSetStatus, storeDaemonSetStatus): a status PUT that meets a
 * 409 Conflict — the cached object was older than the server's — reads the object again and retries with
 * the same status, instead of failing the whole sync for a field the controller alone writes.
 */
public final class StatusWrites {

    /** Upstream's StatusUpdateRetries. */
    static final int ATTEMPTS = 2;

    private StatusWrites() {
    }

    /** PUTs {@code object} to the status subresource; on conflict re-reads it, sets {@code status}, retries. */
    public static <T extends HasMetadata, S> T update(ResourceClient<T> client, T object, BiConsumer<T, S> setStatus,
                                                      S status) {
        T attempt = object;
        for (int i = 1; ; i++) {
            try {
                return client.updateStatus(attempt);
            } catch (ApiException e) {
                if (!e.isConflict() || i >= ATTEMPTS) {
                    throw e;
                }
            }
            T fresh = client.get(object.getMetadata().getName());
            if (!Objects.equals(fresh.getMetadata().getUid(), object.getMetadata().getUid())) {
                return fresh; // a namesake replaced it: its own sync writes its status
            }
            setStatus.accept(fresh, status);
            attempt = fresh;
        }
    }
}

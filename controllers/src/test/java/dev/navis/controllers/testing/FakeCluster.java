package dev.navis.controllers.testing;

import dev.navis.client.ApiException;
import dev.navis.client.fake.Action;
import dev.navis.client.fake.FakeClock;
import dev.navis.client.fake.FakeEventRecorder;
import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.controllers.ControllerContext;
import dev.navis.controllers.ControllerOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A controller test's world: the fake API, a fake clock, informer caches that are never started (tests put
 * objects in them with {@link #observe}) and recorded events. Actions of informers (list, watch) are left out
 * of {@link #actions()}.
 */
public final class FakeCluster {

    public final FakeClock clock;
    public final FakeKubeClient api;
    public final SharedInformerFactory informers;
    public final FakeEventRecorder events = new FakeEventRecorder();

    public FakeCluster(Instant now) {
        this.clock = new FakeClock(now);
        this.api = new FakeKubeClient(clock);
        this.informers = new SharedInformerFactory(api, Duration.ZERO, null, clock, Backoff.REFLECTOR_DEFAULT);
    }

    public ControllerContext context(ControllerOptions options) {
        return new ControllerContext(api, informers, events, options);
    }

    /** Writes the object to the API (create, or update of spec and status) and puts the stored one in the cache. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T observe(T object) {
        Class<T> type = (Class<T>) object.getClass();
        var client = api.resource(type);
        if (object.getMetadata().getNamespace() != null && client.ref().namespaced()) {
            client = client.namespace(object.getMetadata().getNamespace());
        }
        try {
            client.get(object.getMetadata().getName());
            object.getMetadata().setResourceVersion(null);
            client.update(object);
            client.updateStatus(object);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            api.seed(object);
        }
        T stored = client.get(object.getMetadata().getName());
        informers.informer(type).indexer().put(Keys.of(stored), stored);
        api.clearActions();
        return stored;
    }

    /** Puts the API's current version of an object into the cache (after a controller wrote it). */
    public <T extends HasMetadata> T refresh(Class<T> type, String namespace, String name) {
        var client = api.resource(type);
        if (namespace != null) {
            client = client.namespace(namespace);
        }
        T stored = client.get(name);
        informers.informer(type).indexer().put(Keys.of(stored), stored);
        return stored;
    }

    /** Removes an object from the API and the cache. */
    public <T extends HasMetadata> void forget(Class<T> type, String namespace, String name) {
        var client = api.resource(type);
        if (namespace != null) {
            client = client.namespace(namespace);
        }
        try {
            client.delete(name);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        informers.informer(type).indexer().remove(Keys.of(namespace, name));
        api.clearActions();
    }

    /** The API calls since the last clear, as "verb resource[/sub] ns/name", informers' list and watch left out. */
    public List<String> actions() {
        return api.actions(Set.of("list", "watch")).stream().map(Action::toString).toList();
    }

    public List<Action> sent() {
        return api.actions(Set.of("list", "watch"));
    }
}

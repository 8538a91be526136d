package dev.navis.scheduler.plugins.defaultbinder;

import dev.navis.client.ApiException;
import dev.navis.scheduler.framework.BindPlugin;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.Handle;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;

/** Binds with {@code POST /api/v1/namespaces/NS/pods/NAME/binding}, as upstream's DefaultBinder. */
public final class DefaultBinder implements BindPlugin {
    public static final String NAME = "DefaultBinder";
    private final Handle handle;

    public DefaultBinder(Handle handle) {
        this.handle = handle;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status bind(CycleState state, PodInfo pod, String nodeName) {
        Binding binding = new BindingBuilder()
                .withNewMetadata().withNamespace(pod.namespace()).withName(pod.name()).withUid(pod.uid()).endMetadata()
                .withNewTarget().withKind("Node").withName(nodeName).endTarget()
                .build();
        try {
            handle.client().pods().namespace(pod.namespace()).createSubresource(pod.name(), "binding", binding,
                    io.fabric8.kubernetes.api.model.Status.class);
            return Status.SUCCESS;
        } catch (ApiException e) {
            return Status.error(e);
        } catch (RuntimeException e) {
            return Status.error(e);
        }
    }
}

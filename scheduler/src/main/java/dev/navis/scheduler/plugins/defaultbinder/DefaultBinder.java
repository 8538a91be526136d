package dev.navis.scheduler.plugins.defaultbinder;

import dev.navis.client.ApiException;
import dev.navis.scheduler.framework.BindPlugin;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.Handle;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;

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
        // the model's setters, not its builders: a builder copies every nested object (maps included) once more
        ObjectMeta meta = new ObjectMeta();
        meta.setNamespace(pod.namespace());
        meta.setName(pod.name());
        meta.setUid(pod.uid());
        ObjectReference target = new ObjectReference();
        target.setKind("Node");
        target.setName(nodeName);
        Binding binding = new Binding();
        binding.setMetadata(meta);
        binding.setTarget(target);
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

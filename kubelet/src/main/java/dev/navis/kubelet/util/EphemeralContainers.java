package dev.navis.kubelet.util;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * A pod's ephemeral containers (kubectl debug) as the kubelet runs them: each as a regular container in the
 * pod's sandbox, started once and never restarted. The API server already refused ports, probes, lifecycle
 * and resources on them, so the fields that remain are those of a plain container.
 */
public final class EphemeralContainers {

    private EphemeralContainers() {
    }

    /** The pod's ephemeral containers as containers, in spec order; empty when it has none. */
    public static List<Container> of(Pod pod) {
        List<EphemeralContainer> list = pod.getSpec() == null ? null : pod.getSpec().getEphemeralContainers();
        return list == null ? List.of() : list.stream().map(EphemeralContainers::asContainer).toList();
    }

    /** The targetContainerName of the named ephemeral container, or null when it has none. */
    public static String target(Pod pod, String name) {
        List<EphemeralContainer> list = pod.getSpec() == null ? null : pod.getSpec().getEphemeralContainers();
        if (list == null) {
            return null;
        }
        return list.stream().filter(e -> name.equals(e.getName())).map(EphemeralContainer::getTargetContainerName)
                .filter(t -> t != null && !t.isEmpty()).findFirst().orElse(null);
    }

    private static Container asContainer(EphemeralContainer e) {
        return new ContainerBuilder().withName(e.getName()).withImage(e.getImage()).withCommand(e.getCommand())
                .withArgs(e.getArgs()).withWorkingDir(e.getWorkingDir()).withEnv(e.getEnv()).withEnvFrom(e.getEnvFrom())
                .withVolumeMounts(e.getVolumeMounts()).withVolumeDevices(e.getVolumeDevices())
                .withImagePullPolicy(e.getImagePullPolicy()).withSecurityContext(e.getSecurityContext())
                .withStdin(e.getStdin()).withStdinOnce(e.getStdinOnce()).withTty(e.getTty())
                .withTerminationMessagePath(e.getTerminationMessagePath())
                .withTerminationMessagePolicy(e.getTerminationMessagePolicy()).build();
    }
}

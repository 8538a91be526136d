package dev.navis.kubelet.runtime;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.navis.kubelet.server.KubeletPods;
import dev.navis.kubelet.server.PodCgroups;
import io.fabric8.kubernetes.api.model.ContainerStatus;

/**
 * The CRI runtime's cgroup layout for the kubelet's stats: a pod's cgroup is its sandbox's cgroup parent
 * ({@code <root>/<qos>/pod<uid>}, as {@link PodConfigs#cgroupParent} sets it) and containerd on cgroupfs puts each
 * container in {@code <parent>/<container id>}. Running containers come from the pods' latest statuses.
 */
public final class CriPodCgroups implements PodCgroups {
    private final String cgroupRoot;
    private final KubeletPods pods;

    public CriPodCgroups(CriPodRuntime runtime, KubeletPods pods) {
        this(runtime.options().cgroupRoot(), pods);
    }

    /** @param cgroupRoot the runtime's cgroupfs parent of all pods ({@link CriRuntimeOptions#cgroupRoot()}) */
    public CriPodCgroups(String cgroupRoot, KubeletPods pods) {
        this.cgroupRoot = cgroupRoot;
        this.pods = pods;
    }

    @Override
    public List<PodCgroups.Pod> pods() {
        List<PodCgroups.Pod> out = new ArrayList<>();
        for (io.fabric8.kubernetes.api.model.Pod pod : pods.pods()) {
            if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
                continue;
            }
            String parent = PodConfigs.cgroupParent(cgroupRoot, pod);
            List<Container> containers = new ArrayList<>();
            for (ContainerStatus c : pod.getStatus().getContainerStatuses()) {
                if (c.getState() == null || c.getState().getRunning() == null || c.getContainerID() == null) {
                    continue;
                }
                String id = c.getContainerID().substring(c.getContainerID().indexOf("://") + 3);
                containers.add(new Container(c.getName(), parent + "/" + id, instant(c.getState().getRunning().getStartedAt())));
            }
            if (containers.isEmpty()) {
                continue;
            }
            out.add(new PodCgroups.Pod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    pod.getMetadata().getUid(), instant(pod.getStatus().getStartTime()), parent, containers));
        }
        return out;
    }

    private static Instant instant(String time) {
        try {
            return time == null ? Instant.now() : Instant.parse(time);
        } catch (RuntimeException e) {
            return Instant.now();
        }
    }
}

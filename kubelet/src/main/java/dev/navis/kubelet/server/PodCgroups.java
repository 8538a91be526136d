package dev.navis.kubelet.server;

import java.time.Instant;
import java.util.List;

/**
 * What the runtime tells the kubelet's stats endpoints: where each running pod's and container's cgroup is, in
 * the cgroup v1 hierarchies (the path below each controller's mount, e.g. {@code /kubepods/besteffort/pod<uid>/<id>}
 * under {@code /sys/fs/cgroup/cpuacct} and {@code /sys/fs/cgroup/memory}). The kubelet reads usage from there.
 */
public interface PodCgroups {
    /** The running pods with their containers' cgroups. */
    List<Pod> pods() throws Exception;

    /**
     * @param cgroupPath the pod's own cgroup (holds all its containers), or null to sum its containers
     */
    record Pod(String namespace, String name, String uid, Instant startTime, String cgroupPath,
               List<Container> containers) {
    }

    record Container(String name, String cgroupPath, Instant startTime) {
    }

    /** No pods: a node without a runtime that reports cgroups. */
    PodCgroups NONE = List::of;
}

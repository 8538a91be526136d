package dev.navis.kubelet.status;

/** The probe results the status computation merges into containerStatuses (ready, started). */
public interface ProbeView {

    /** The readiness result for this container instance, or null when it has no readiness probe. */
    Boolean ready(String podUid, String container, String containerId);

    /** The startup result for this container instance, or null when it has no startup probe. */
    Boolean started(String podUid, String container, String containerId);

    /** No probes: running containers are ready and started (sim nodes, pods without probes). */
    ProbeView NONE = new ProbeView() {
        @Override
        public Boolean ready(String podUid, String container, String containerId) {
            return null;
        }

        @Override
        public Boolean started(String podUid, String container, String containerId) {
            return null;
        }
    };
}

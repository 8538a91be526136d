package dev.navis.kubelet.volume;

import dev.navis.kubelet.env.ObjectSource;
import dev.navis.kubelet.volume.VolumeManager.VolumeException;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * persistentVolumeClaim volumes (and generic ephemeral volumes, whose claim is {@code <pod>-<volume>}): the claim must
 * be Bound; its PersistentVolume's hostPath (type checks and DirectoryOrCreate as a hostPath volume's) or local
 * path is what the containers mount. Other volume sources need attach/mount plugins (CSI) that this kubelet does not
 * have. An unbound claim fails with upstream's "error processing PVC ...: PVC is not bound", and the pod sync retries.
 */
final class ClaimVolumes {

    /** The claim is not usable yet; the message is upstream's whole FailedMount text. */
    static final class ClaimNotReady extends VolumeException {
        ClaimNotReady(String message) {
            super(message);
        }
    }

    private ClaimVolumes() {
    }

    /** The claim the volume names, or null when it is neither a persistentVolumeClaim nor an ephemeral volume. */
    static String claimName(Pod pod, Volume v) {
        if (v.getPersistentVolumeClaim() != null) {
            return v.getPersistentVolumeClaim().getClaimName();
        }
        if (v.getEphemeral() != null) {
            return pod.getMetadata().getName() + "-" + v.getName();
        }
        return null;
    }

    static Path hostPathOf(ObjectSource objects, Pod pod, Volume v, String claimName) throws VolumeException, IOException {
        String ns = pod.getMetadata().getNamespace();
        PersistentVolumeClaim claim = objects.persistentVolumeClaim(ns, claimName);
        if (claim == null) {
            throw notReady(v, "error processing PVC " + ns + "/" + claimName + ": failed to fetch PVC from API server: "
                    + "persistentvolumeclaims \"" + claimName + "\" not found");
        }
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty() || claim.getStatus() == null
                || !"Bound".equals(claim.getStatus().getPhase())) {
            throw notReady(v, "error processing PVC " + ns + "/" + claimName + ": PVC is not bound");
        }
        PersistentVolume pv = objects.persistentVolume(volumeName);
        if (pv == null || pv.getSpec().getClaimRef() == null
                || !claim.getMetadata().getUid().equals(pv.getSpec().getClaimRef().getUid())) {
            throw notReady(v, "error processing PVC " + ns + "/" + claimName + ": failed to fetch PV " + volumeName
                    + " from API server" + (pv == null ? ": persistentvolumes \"" + volumeName + "\" not found"
                    : ": the PV is not bound to this claim"));
        }
        if (pv.getSpec().getHostPath() != null) {
            return VolumeManager.hostPath(pv.getSpec().getHostPath());
        }
        if (pv.getSpec().getLocal() != null) {
            Path path = Path.of(pv.getSpec().getLocal().getPath());
            if (!Files.exists(path)) {
                throw new VolumeException("local volume " + volumeName + ": path \"" + path + "\" does not exist");
            }
            return path;
        }
        throw new VolumeException("PersistentVolume " + volumeName + " has a volume source this node cannot mount "
                + "(only hostPath and local are supported)");
    }

    private static ClaimNotReady notReady(Volume v, String reason) {
        return new ClaimNotReady("Unable to attach or mount volumes: unmounted volumes=[" + v.getName() + "], "
                + "unattached volumes=[]: " + reason);
    }
}

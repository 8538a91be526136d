package dev.navis.controllers.volume.persistentvolume;

import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.storage.VolumeClaims;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Upstream's PersistentVolume controller (pkg/controller/volume/persistentvolume), binding part: a claim binds to
 * the smallest Available volume that fits it (or to the volume pre-bound to it by claimRef), both sides are written
 * (PV claimRef and phase Bound; PVC spec.volumeName, {@code pv.kubernetes.io/bind-completed} and phase Bound with
 * capacity and access modes). A claim without a match waits: for a class with a provisioner it gets the
 * {@code volume.kubernetes.io/storage-provisioner} annotation the provisioner acts on; a WaitForFirstConsumer claim
 * waits until the scheduler picks a node ({@code volume.kubernetes.io/selected-node}). When a bound claim goes, its
 * volume becomes Released and its reclaim policy applies: Retain keeps it, Delete deletes the PV object.
 */
public final class PersistentVolumeBinderController implements Controller {

    public static final int DEFAULT_WORKERS = 1;
    static final String COMPONENT = "persistentvolume-controller";

    private final KubeClient client;
    private final EventRecorder recorder;
    private final Lister<PersistentVolumeClaim> claims;
    private final Lister<PersistentVolume> volumes;
    private final Lister<StorageClass> classes;
    private final Lister<Node> nodes;
    final RateLimitingQueue<String> claimQueue;
    final RateLimitingQueue<String> volumeQueue;
    private final Workers<String> claimWorkers;
    private final Workers<String> volumeWorkers;

    public PersistentVolumeBinderController(ControllerContext context) {
        this.client = context.client();
        this.recorder = context.recorder(COMPONENT);
        Clock clock = Clock.SYSTEM;
        this.claimQueue = new RateLimitingQueue<>("claims", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.volumeQueue = new RateLimitingQueue<>("volumes", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.claimWorkers = new Workers<>("persistentvolume-binder-claims", claimQueue, this::syncClaim, 0);
        this.volumeWorkers = new Workers<>("persistentvolume-binder-volumes", volumeQueue, this::syncVolume, 0);
        SharedIndexInformer<PersistentVolumeClaim> claimInformer = context.informers().informer(PersistentVolumeClaim.class);
        SharedIndexInformer<PersistentVolume> volumeInformer = context.informers().informer(PersistentVolume.class);
        this.claims = claimInformer.lister();
        this.volumes = volumeInformer.lister();
        this.classes = context.informers().lister(StorageClass.class);
        this.nodes = context.informers().lister(Node.class);
        claimInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolumeClaim claim) {
                claimQueue.add(Keys.of(claim));
            }

            @Override
            public void onUpdate(PersistentVolumeClaim o, PersistentVolumeClaim n) {
                claimQueue.add(Keys.of(n));
            }

            @Override
            public void onDelete(PersistentVolumeClaim claim, boolean finalStateUnknown) {
                // the volumes it held are released
                for (PersistentVolume v : volumes.list()) {
                    ObjectReference ref = v.getSpec().getClaimRef();
                    if (ref != null && Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())
                            && Objects.equals(ref.getName(), claim.getMetadata().getName())) {
                        volumeQueue.add(Keys.of(v));
                    }
                }
            }
        });
        volumeInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolume volume) {
                volumeQueue.add(Keys.of(volume));
                enqueueClaimOf(volume);
            }

            @Override
            public void onUpdate(PersistentVolume o, PersistentVolume n) {
                volumeQueue.add(Keys.of(n));
                enqueueClaimOf(n);
            }
        });
    }

    @Override
    public void run(int workers) {
        claimWorkers.start(workers);
        volumeWorkers.start(workers);
    }

    @Override
    public void stop() throws InterruptedException {
        claimWorkers.stop();
        volumeWorkers.stop();
    }

    private void enqueueClaimOf(PersistentVolume volume) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref != null && ref.getName() != null) {
            claimQueue.add(Keys.of(ref.getNamespace(), ref.getName()));
        } else {
            // an Available volume may be what a pending claim waits for
            for (PersistentVolumeClaim c : claims.list()) {
                if (c.getSpec().getVolumeName() == null || c.getSpec().getVolumeName().isEmpty()) {
                    claimQueue.add(Keys.of(c));
                }
            }
        }
    }

    // ---- claims

    void syncClaim(String key) {
        PersistentVolumeClaim claim = claims.getByKey(key);
        if (claim == null) {
            return;
        }
        String volumeName = claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty()) {
            syncUnboundClaim(claim);
        } else {
            syncBoundClaim(claim, volumeName);
        }
    }

    private void syncUnboundClaim(PersistentVolumeClaim claim) {
        if (claim.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        boolean delay = VolumeClaims.isDelayBinding(claim, classes::get);
        String selected = VolumeClaims.selectedNode(claim);
        Node node = selected == null ? null : nodes.get(selected);
        PersistentVolume match = VolumeClaims.findMatchingVolume(claim, volumes.list(), node, delay);
        if (match != null) {
            bind(match, claim);
            return;
        }
        String className = VolumeClaims.claimClass(claim);
        StorageClass sc = className.isEmpty() ? null : classes.get(className);
        if (delay && selected == null) {
            recorder.event(claim, "Normal", "WaitForFirstConsumer",
                    "waiting for first consumer to be created before binding");
        } else if (sc != null && !VolumeClaims.NO_PROVISIONER.equals(sc.getProvisioner())) {
            claim = annotateProvisioner(claim, sc.getProvisioner());
            recorder.event(claim, "Normal", "ExternalProvisioning", ("Waiting for a volume to be created either by the "
                    + "external provisioner '%s' or manually by the system administrator. If volume creation is delayed, "
                    + "please verify that the provisioner is running and correctly registered.").formatted(sc.getProvisioner()));
        } else if (className.isEmpty()) {
            recorder.event(claim, "Normal", "FailedBinding",
                    "no persistent volumes available for this claim and no storage class is set");
        } else if (sc == null) {
            recorder.event(claim, "Warning", "ProvisioningFailed",
                    "storageclass.storage.k8s.io \"" + className + "\" not found");
        } else {
            recorder.event(claim, "Normal", "WaitForPodScheduled",
                    "waiting for pod to be scheduled");
        }
        setClaimPhase(claim, "Pending");
    }

    private void syncBoundClaim(PersistentVolumeClaim claim, String volumeName) {
        PersistentVolume volume = volumes.get(volumeName);
        if (volume == null) {
            if (claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase())) {
                recorder.event(claim, "Warning", "ClaimLost",
                        "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
                setClaimPhase(claim, "Lost");
            } else {
                setClaimPhase(claim, "Pending");
            }
            return;
        }
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null || VolumeClaims.isVolumeBoundToClaim(volume, claim)) {
            bind(volume, claim);
            return;
        }
        if (claim.getStatus() != null && "Bound".equals(claim.getStatus().getPhase())) {
            recorder.event(claim, "Warning", "ClaimMisbound",
                    "Two claims are bound to the same volume, this one is bound incorrectly");
            setClaimPhase(claim, "Lost");
        }
    }

    /** Writes both sides of the binding; each write only when something is missing. */
    void bind(PersistentVolume cachedVolume, PersistentVolumeClaim cachedClaim) {
        PersistentVolume volume = Json.deepCopy(cachedVolume); // never mutate the informers' objects
        PersistentVolumeClaim claim = Json.deepCopy(cachedClaim);
        try {
            if (!claimRefIsExactly(volume, claim)) {
                boolean byController = volume.getSpec().getClaimRef() == null;
                volume.getSpec().setClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim")
                        .withApiVersion("v1").withNamespace(claim.getMetadata().getNamespace())
                        .withName(claim.getMetadata().getName()).withUid(claim.getMetadata().getUid())
                        .withResourceVersion(claim.getMetadata().getResourceVersion()).build());
                if (byController) {
                    volume.getMetadata().setAnnotations(with(volume.getMetadata().getAnnotations(),
                            VolumeClaims.ANN_BOUND_BY_CONTROLLER, "yes"));
                }
                volume = client.persistentVolumes().update(volume);
            }
            if (volume.getStatus() == null || !"Bound".equals(volume.getStatus().getPhase())) {
                volume.setStatus(phase(volume.getStatus(), "Bound"));
                volume = client.persistentVolumes().updateStatus(volume);
            }
            String name = volume.getMetadata().getName();
            Map<String, String> annotations = claim.getMetadata().getAnnotations();
            boolean setVolumeName = !name.equals(claim.getSpec().getVolumeName());
            if (setVolumeName || annotations == null || !"yes".equals(annotations.get(VolumeClaims.ANN_BIND_COMPLETED))) {
                claim.getSpec().setVolumeName(name);
                annotations = with(annotations, VolumeClaims.ANN_BIND_COMPLETED, "yes");
                if (setVolumeName) {
                    annotations = with(annotations, VolumeClaims.ANN_BOUND_BY_CONTROLLER, "yes");
                }
                claim.getMetadata().setAnnotations(annotations);
                claim = client.persistentVolumeClaims().namespace(claim.getMetadata().getNamespace()).update(claim);
            }
            PersistentVolumeClaimStatus status = claim.getStatus() == null ? new PersistentVolumeClaimStatus()
                    : claim.getStatus();
            if (!"Bound".equals(status.getPhase()) || !Objects.equals(status.getCapacity(), volume.getSpec().getCapacity())
                    || !Objects.equals(status.getAccessModes(), volume.getSpec().getAccessModes())) {
                status.setPhase("Bound");
                status.setCapacity(volume.getSpec().getCapacity());
                status.setAccessModes(volume.getSpec().getAccessModes());
                claim.setStatus(status);
                client.persistentVolumeClaims().namespace(claim.getMetadata().getNamespace()).updateStatus(claim);
            }
        } catch (ApiException e) {
            if (e.isConflict() || e.isNotFound()) {
                claimQueue.addRateLimited(Keys.of(claim)); // a newer version arrives through the informer
                return;
            }
            throw e;
        }
    }

    private static boolean claimRefIsExactly(PersistentVolume volume, PersistentVolumeClaim claim) {
        ObjectReference ref = volume.getSpec().getClaimRef();
        return ref != null && claim.getMetadata().getUid().equals(ref.getUid())
                && claim.getMetadata().getName().equals(ref.getName())
                && claim.getMetadata().getNamespace().equals(ref.getNamespace());
    }

    private PersistentVolumeClaim annotateProvisioner(PersistentVolumeClaim cached, String provisioner) {
        Map<String, String> annotations = cached.getMetadata().getAnnotations();
        if (annotations != null && provisioner.equals(annotations.get(VolumeClaims.ANN_STORAGE_PROVISIONER))) {
            return cached;
        }
        PersistentVolumeClaim claim = Json.deepCopy(cached);
        annotations = with(annotations, VolumeClaims.ANN_STORAGE_PROVISIONER, provisioner);
        annotations.put(VolumeClaims.ANN_BETA_STORAGE_PROVISIONER, provisioner);
        claim.getMetadata().setAnnotations(annotations);
        return client.persistentVolumeClaims().namespace(claim.getMetadata().getNamespace()).update(claim);
    }

    private void setClaimPhase(PersistentVolumeClaim cached, String phase) {
        if (cached.getStatus() != null && phase.equals(cached.getStatus().getPhase())) {
            return;
        }
        PersistentVolumeClaim claim = Json.deepCopy(cached);
        PersistentVolumeClaimStatus status = claim.getStatus() == null ? new PersistentVolumeClaimStatus() : claim.getStatus();
        status.setPhase(phase);
        claim.setStatus(status);
        client.persistentVolumeClaims().namespace(claim.getMetadata().getNamespace()).updateStatus(claim);
    }

    // ---- volumes

    void syncVolume(String key) {
        PersistentVolume volume = volumes.getByKey(key);
        if (volume == null || volume.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        ObjectReference ref = volume.getSpec().getClaimRef();
        if (ref == null || ref.getUid() == null || ref.getUid().isEmpty()) {
            // unclaimed, or pre-bound by a user to a claim that is not bound yet (the claim's sync binds it)
            setVolumePhase(volume, "Available");
            return;
        }
        PersistentVolumeClaim claim = claims.getByKey(Keys.of(ref.getNamespace(), ref.getName()));
        if (claim == null || !ref.getUid().equals(claim.getMetadata().getUid())) {
            claim = liveClaim(ref); // the cache may lag a claim that was just created
        }
        if (claim != null && ref.getUid().equals(claim.getMetadata().getUid())) {
            if (volume.getMetadata().getName().equals(claim.getSpec().getVolumeName())) {
                setVolumePhase(volume, "Bound");
            } else if (claim.getSpec().getVolumeName() == null || claim.getSpec().getVolumeName().isEmpty()) {
                claimQueue.add(Keys.of(claim)); // half-bound (or provisioned for it): the claim's sync finishes it
            } else if (volume.getMetadata().getAnnotations() != null
                    && volume.getMetadata().getAnnotations().containsKey(VolumeClaims.ANN_BOUND_BY_CONTROLLER)) {
                unbind(volume); // the claim went to another volume; give this one back
            }
            return;
        }
        // the claim is gone
        if (!"Released".equals(phaseOf(volume)) && !"Failed".equals(phaseOf(volume))) {
            volume = setVolumePhase(volume, "Released");
        }
        reclaim(volume);
    }

    private void reclaim(PersistentVolume volume) {
        String policy = volume.getSpec().getPersistentVolumeReclaimPolicy();
        if ("Delete".equals(policy)) {
            try {
                client.persistentVolumes().delete(volume.getMetadata().getName());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        } else if ("Recycle".equals(policy)) {
            recorder.event(volume, "Warning", "VolumeFailedRecycle", "Recycle is not supported; the volume is kept");
        }
        // Retain: the volume stays Released until an administrator deals with it
    }

    private void unbind(PersistentVolume cached) {
        PersistentVolume volume = Json.deepCopy(cached);
        volume.getSpec().setClaimRef(null);
        volume.getMetadata().getAnnotations().remove(VolumeClaims.ANN_BOUND_BY_CONTROLLER);
        volume = client.persistentVolumes().update(volume);
        setVolumePhase(volume, "Available");
    }

    private PersistentVolumeClaim liveClaim(ObjectReference ref) {
        try {
            return client.persistentVolumeClaims().namespace(ref.getNamespace()).get(ref.getName());
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }

    private PersistentVolume setVolumePhase(PersistentVolume cached, String phase) {
        if (phase.equals(phaseOf(cached))) {
            return cached;
        }
        PersistentVolume volume = Json.deepCopy(cached);
        volume.setStatus(phase(volume.getStatus(), phase));
        return client.persistentVolumes().updateStatus(volume);
    }

    private static String phaseOf(PersistentVolume volume) {
        return volume.getStatus() == null ? null : volume.getStatus().getPhase();
    }

    private static PersistentVolumeStatus phase(PersistentVolumeStatus status, String phase) {
        PersistentVolumeStatus s = status == null ? new PersistentVolumeStatus() : status;
        s.setPhase(phase);
        return s;
    }

    private static Map<String, String> with(Map<String, String> annotations, String key, String value) {
        Map<String, String> copy = annotations == null ? new HashMap<>() : new HashMap<>(annotations);
        copy.put(key, value);
        return copy;
    }
}

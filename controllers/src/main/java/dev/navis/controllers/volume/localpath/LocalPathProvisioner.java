package dev.navis.controllers.volume.localpath;

import dev.navis.client.ApiException;
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
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.List;
import java.util.Map;

/**
 * k3s's local-path-provisioner as a controller: for a claim of a class whose provisioner is
 * {@value #PROVISIONER}, once the PV controller handed it to this provisioner
 * ({@code volume.kubernetes.io/storage-provisioner}) and the scheduler chose a node
 * ({@code volume.kubernetes.io/selected-node}), it creates the PV {@code pvc-<claim uid>}: a hostPath
 * (DirectoryOrCreate) {@code <nodePath>/pvc-<uid>_<namespace>_<name>} pinned to that node by node affinity on
 * {@code kubernetes.io/hostname}, the claim's size, access modes and class, the class's reclaim policy (default
 * Delete), pre-bound to the claim so that the PV controller completes the binding. {@code nodePath} is the class
 * parameter of that name (as local-path-provisioner's), else {@value #DEFAULT_NODE_PATH}. The kubelet of the node
 * creates the directory when a pod mounts it and removes it when the PV is deleted ({@value #CLEANUP_FINALIZER}).
 */
public final class LocalPathProvisioner implements Controller {

    /** k3s's name, so that manifests and tools written for k3s's local-path class see the same provisioner. */
    public static final String PROVISIONER = "rancher.io/local-path";
    public static final String DEFAULT_NODE_PATH = "/var/lib/navis/storage";
    public static final String NODE_PATH_PARAMETER = "nodePath";
    /** Held by the provisioned PV until the kubelet of its node has removed the directory. */
    public static final String CLEANUP_FINALIZER = "navis.dev/local-path-cleanup";
    public static final int DEFAULT_WORKERS = 1;
    static final String COMPONENT = PROVISIONER + "_navis";

    private final KubeClient client;
    private final EventRecorder recorder;
    private final Lister<PersistentVolumeClaim> claims;
    private final Lister<PersistentVolume> volumes;
    private final Lister<StorageClass> classes;
    private final Lister<Node> nodes;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public LocalPathProvisioner(ControllerContext context) {
        this.client = context.client();
        this.recorder = context.recorder(COMPONENT);
        Clock clock = Clock.SYSTEM;
        this.queue = new RateLimitingQueue<>("local-path-provisioner", RateLimiters.defaultControllerRateLimiter(clock),
                clock);
        this.workers = new Workers<>("local-path-provisioner", queue, this::sync, 0);
        SharedIndexInformer<PersistentVolumeClaim> informer = context.informers().informer(PersistentVolumeClaim.class);
        this.claims = informer.lister();
        this.volumes = context.informers().lister(PersistentVolume.class);
        this.classes = context.informers().lister(StorageClass.class);
        this.nodes = context.informers().lister(Node.class);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolumeClaim claim) {
                queue.add(Keys.of(claim));
            }

            @Override
            public void onUpdate(PersistentVolumeClaim o, PersistentVolumeClaim n) {
                queue.add(Keys.of(n));
            }
        });
    }

    @Override
    public void run(int count) {
        workers.start(count);
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
    }

    void sync(String key) {
        PersistentVolumeClaim claim = claims.getByKey(key);
        if (claim == null || claim.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String volumeName = claim.getSpec().getVolumeName();
        Map<String, String> annotations = claim.getMetadata().getAnnotations();
        String node = VolumeClaims.selectedNode(claim);
        if ((volumeName != null && !volumeName.isEmpty()) || annotations == null || node == null
                || !PROVISIONER.equals(annotations.get(VolumeClaims.ANN_STORAGE_PROVISIONER))) {
            return;
        }
        StorageClass sc = classes.get(VolumeClaims.claimClass(claim));
        if (sc == null || !PROVISIONER.equals(sc.getProvisioner())) {
            return;
        }
        String name = "pvc-" + claim.getMetadata().getUid();
        if (volumes.get(name) != null) {
            return; // provisioned; the PV controller binds it
        }
        if ("Block".equals(claim.getSpec().getVolumeMode())) {
            recorder.event(claim, "Warning", "ProvisioningFailed", "failed to provision volume with StorageClass \""
                    + sc.getMetadata().getName() + "\": local-path supports only volumeMode Filesystem");
            return;
        }
        PersistentVolume volume = volumeFor(claim, sc, name, hostnameOf(node));
        try {
            client.persistentVolumes().create(volume);
        } catch (ApiException e) {
            if (e.isAlreadyExists()) {
                return;
            }
            recorder.event(claim, "Warning", "ProvisioningFailed", "failed to provision volume with StorageClass \""
                    + sc.getMetadata().getName() + "\": " + e.getMessage());
            throw e;
        }
        recorder.event(claim, "Normal", "ProvisioningSucceeded", "Successfully provisioned volume " + name);
    }

    /** The PV of a claim on a node whose {@code kubernetes.io/hostname} label is {@code hostname}. */
    static PersistentVolume volumeFor(PersistentVolumeClaim claim, StorageClass sc, String name, String hostname) {
        String nodePath = sc.getParameters() == null ? null : sc.getParameters().get(NODE_PATH_PARAMETER);
        if (nodePath == null || nodePath.isEmpty()) {
            nodePath = DEFAULT_NODE_PATH;
        }
        String path = nodePath.replaceAll("/+$", "") + "/" + name + "_" + claim.getMetadata().getNamespace() + "_"
                + claim.getMetadata().getName();
        String reclaim = sc.getReclaimPolicy() == null ? "Delete" : sc.getReclaimPolicy();
        return new PersistentVolumeBuilder()
                .withNewMetadata().withName(name)
                .addToAnnotations(VolumeClaims.ANN_PROVISIONED_BY, PROVISIONER)
                .addToFinalizers(CLEANUP_FINALIZER).endMetadata()
                .withNewSpec()
                .withCapacity(Map.of("storage", claim.getSpec().getResources().getRequests().get("storage")))
                .withAccessModes(claim.getSpec().getAccessModes())
                .withVolumeMode("Filesystem")
                .withStorageClassName(sc.getMetadata().getName())
                .withPersistentVolumeReclaimPolicy(reclaim)
                .withMountOptions(sc.getMountOptions())
                .withNewHostPath(path, "DirectoryOrCreate")
                .withNewClaimRef().withKind("PersistentVolumeClaim").withApiVersion("v1")
                .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion())
                .endClaimRef()
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues(List.of(hostname))
                .endMatchExpression().endNodeSelectorTerm().endRequired().endNodeAffinity()
                .endSpec().build();
    }

    private String hostnameOf(String nodeName) {
        Node node = nodes.get(nodeName);
        Map<String, String> labels = node == null ? null : node.getMetadata().getLabels();
        String hostname = labels == null ? null : labels.get("kubernetes.io/hostname");
        return hostname == null ? nodeName : hostname;
    }
}

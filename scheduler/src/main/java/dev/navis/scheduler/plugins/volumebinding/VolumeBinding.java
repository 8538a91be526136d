package dev.navis.scheduler.plugins.volumebinding;

import dev.navis.client.ApiException;
import dev.navis.client.PatchType;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.client.storage.VolumeClaims;
import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.ClusterEventWithHint;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EnqueueExtensions;
import dev.navis.scheduler.framework.FilterPlugin;
import dev.navis.scheduler.framework.Handle;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PreBindPlugin;
import dev.navis.scheduler.framework.PreFilterPlugin;
import dev.navis.scheduler.framework.ReservePlugin;
import dev.navis.scheduler.framework.StateData;
import dev.navis.scheduler.framework.Status;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.TopologySelectorLabelRequirement;
import io.fabric8.kubernetes.api.model.TopologySelectorTerm;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Upstream's VolumeBinding plugin. PreFilter sorts the pod's claims: a missing or terminating claim, or an unbound
 * claim of an immediate-binding class, makes the pod unschedulable ("pod has unbound immediate
 * PersistentVolumeClaims": the PV controller binds such claims without the scheduler); bound claims contribute
 * their volumes, unbound WaitForFirstConsumer claims wait for a node. Filter admits a node when every bound volume's
 * node affinity matches it and every delayed claim can be satisfied there (an Available volume on the node, or a
 * provisioner whose class allows the node's topology). PreBind writes {@code volume.kubernetes.io/selected-node}
 * on the delayed claims and waits (up to {@link #DEFAULT_BIND_TIMEOUT}, upstream's bindTimeoutSeconds) until the PV
 * controller (static volumes) or the provisioner bound them. Unlike upstream, the scheduler does not write the static
 * PV's claimRef itself: the PV controller binds it, choosing among the volumes on the selected node.
 */
public final class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin,
        EnqueueExtensions {

    public static final String NAME = "VolumeBinding";
    public static final Duration DEFAULT_BIND_TIMEOUT = Duration.ofSeconds(600);
    static final String STATE_KEY = "PreFilter" + NAME;
    static final String UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
    static final String NODE_CONFLICT = "node(s) had volume node affinity conflict";
    static final String BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
    static final String PV_NOT_FOUND = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
    private static final Duration POLL = Duration.ofMillis(100);

    private final Handle handle;
    private final Lister<PersistentVolumeClaim> claims;
    private final Lister<PersistentVolume> volumes;
    private final Lister<StorageClass> classes;
    private final Duration bindTimeout;

    public VolumeBinding(Handle handle) {
        this(handle, DEFAULT_BIND_TIMEOUT);
    }

    public VolumeBinding(Handle handle, Duration bindTimeout) {
        this.handle = handle;
        // a framework built without informers (config checks, some tests) has no claims to look at
        SharedInformerFactory informers = handle.informerFactory();
        this.claims = informers == null ? null : informers.lister(PersistentVolumeClaim.class);
        this.volumes = informers == null ? null : informers.lister(PersistentVolume.class);
        this.classes = informers == null ? null : informers.lister(StorageClass.class);
        this.bindTimeout = bindTimeout;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** What PreFilter learned about the pod's claims. */
    record PodVolumes(List<PersistentVolume> bound, List<PersistentVolumeClaim> delayed, boolean missingVolume)
            implements StateData {
        @Override
        public StateData copy() {
            return this;
        }
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod) {
        List<String> claimNames = claimNames(pod);
        if (claimNames.isEmpty() || claims == null) {
            return Status.SKIP;
        }
        List<PersistentVolume> bound = new ArrayList<>();
        List<PersistentVolumeClaim> delayed = new ArrayList<>();
        boolean missingVolume = false;
        for (String claimName : claimNames) {
            PersistentVolumeClaim claim = claims.namespace(pod.namespace()).get(claimName);
            if (claim == null) {
                return Status.unresolvable("persistentvolumeclaim \"" + claimName + "\" not found");
            }
            if (claim.getMetadata().getDeletionTimestamp() != null) {
                return Status.unresolvable("persistentvolumeclaim \"" + claimName + "\" is being deleted");
            }
            String volumeName = claim.getSpec().getVolumeName();
            if (volumeName != null && !volumeName.isEmpty()) {
                PersistentVolume pv = volumes.get(volumeName);
                if (pv == null) {
                    missingVolume = true;
                } else {
                    bound.add(pv);
                }
            } else if (VolumeClaims.isDelayBinding(claim, classes::get)) {
                delayed.add(claim);
            } else {
                return Status.unresolvable(UNBOUND_IMMEDIATE);
            }
        }
        state.write(STATE_KEY, new PodVolumes(List.copyOf(bound), List.copyOf(delayed), missingVolume));
        return Status.SUCCESS;
    }

    /** The claims the pod's volumes name: persistentVolumeClaim volumes and generic ephemeral volumes' claims. */
    static List<String> claimNames(PodInfo pod) {
        List<Volume> podVolumes = pod.pod().getSpec().getVolumes();
        if (podVolumes == null || podVolumes.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (Volume v : podVolumes) {
            if (v.getPersistentVolumeClaim() != null) {
                names.add(v.getPersistentVolumeClaim().getClaimName());
            } else if (v.getEphemeral() != null) {
                names.add(pod.name() + "-" + v.getName());
            }
        }
        return names;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo nodeInfo) {
        PodVolumes pv = state.read(STATE_KEY);
        if (pv == null) {
            return Status.SUCCESS;
        }
        if (pv.missingVolume()) {
            return Status.unresolvable(PV_NOT_FOUND);
        }
        Node node = nodeInfo.node();
        for (PersistentVolume volume : pv.bound()) {
            if (!VolumeClaims.nodeAffinityMatches(volume, node)) {
                return Status.unresolvable(NODE_CONFLICT);
            }
        }
        for (PersistentVolumeClaim claim : pv.delayed()) {
            if (!satisfiableOn(claim, node)) {
                return Status.unresolvable(BIND_CONFLICT);
            }
        }
        return Status.SUCCESS;
    }

    /** An Available volume on the node fits the claim, or the claim's class can provision one there. */
    private boolean satisfiableOn(PersistentVolumeClaim claim, Node node) {
        if (VolumeClaims.findMatchingVolume(claim, volumes.list(), node, true) != null) {
            return true;
        }
        StorageClass sc = classes.get(VolumeClaims.claimClass(claim));
        if (sc == null || sc.getProvisioner() == null || VolumeClaims.NO_PROVISIONER.equals(sc.getProvisioner())) {
            return false;
        }
        return allowedOn(sc.getAllowedTopologies(), node);
    }

    /** A class's allowedTopologies: any term matches (all its label requirements), or none are given. */
    static boolean allowedOn(List<TopologySelectorTerm> terms, Node node) {
        if (terms == null || terms.isEmpty()) {
            return true;
        }
        Map<String, String> labels = node.getMetadata().getLabels();
        for (TopologySelectorTerm term : terms) {
            boolean all = true;
            for (TopologySelectorLabelRequirement r : term.getMatchLabelExpressions()) {
                String value = labels == null ? null : labels.get(r.getKey());
                if (value == null || r.getValues() == null || !r.getValues().contains(value)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Status reserve(CycleState state, PodInfo pod, String nodeName) {
        // the node's claims are written in PreBind, off the scheduling thread; nothing is cached to assume
        return Status.SUCCESS;
    }

    @Override
    public void unreserve(CycleState state, PodInfo pod, String nodeName) {
        // nothing was assumed; a selected-node annotation already written stays, as upstream's
    }

    @Override
    public Status preBind(CycleState state, PodInfo pod, String nodeName) {
        PodVolumes pv = state.read(STATE_KEY);
        if (pv == null || pv.delayed().isEmpty()) {
            return Status.SUCCESS;
        }
        try {
            for (PersistentVolumeClaim claim : pv.delayed()) {
                PersistentVolumeClaim current = claims.namespace(pod.namespace()).get(claim.getMetadata().getName());
                if (current != null && !nodeName.equals(VolumeClaims.selectedNode(current))
                        && !VolumeClaims.isBound(current)) {
                    handle.client().persistentVolumeClaims().namespace(pod.namespace()).patch(
                            claim.getMetadata().getName(), PatchType.MERGE,
                            "{\"metadata\":{\"annotations\":{\"" + VolumeClaims.ANN_SELECTED_NODE + "\":\""
                                    + nodeName + "\"}}}");
                }
            }
            return awaitBound(pod, pv.delayed());
        } catch (ApiException e) {
            return Status.error(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.error("binding volumes: interrupted");
        }
    }

    private Status awaitBound(PodInfo pod, List<PersistentVolumeClaim> delayed) throws InterruptedException {
        long deadline = System.nanoTime() + bindTimeout.toNanos();
        while (true) {
            boolean all = true;
            for (PersistentVolumeClaim claim : delayed) {
                PersistentVolumeClaim current = claims.namespace(pod.namespace()).get(claim.getMetadata().getName());
                if (current == null) {
                    return Status.error("binding volumes: persistentvolumeclaim \"" + claim.getMetadata().getName()
                            + "\" not found");
                }
                if (!VolumeClaims.isBound(current)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return Status.SUCCESS;
            }
            if (System.nanoTime() - deadline > 0) {
                return Status.error("binding volumes: timed out waiting for the condition");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    @Override
    public List<ClusterEventWithHint> eventsToRegister() {
        return List.of(
                ClusterEventWithHint.of("PersistentVolumeClaim", ClusterEvent.ADD | ClusterEvent.UPDATE),
                ClusterEventWithHint.of("PersistentVolume", ClusterEvent.ADD | ClusterEvent.UPDATE),
                ClusterEventWithHint.of("StorageClass", ClusterEvent.ADD | ClusterEvent.UPDATE),
                ClusterEventWithHint.of(ClusterEvent.NODE, ClusterEvent.ADD | ClusterEvent.UPDATE_NODE_LABEL));
    }
}

package dev.navis.kubelet.volume;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.informer.Backoff;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.ListOptions;
import dev.navis.client.storage.VolumeClaims;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node side of the local-path provisioner's reclaim (local-path-provisioner runs a helper pod for it): a PV it
 * provisioned on this node that is being deleted keeps the finalizer {@value #FINALIZER} until this kubelet has
 * removed its directory (simulated nodes: {@link #forSimulatedNodes}, only the finalizer). Only a directory named
 * after the PV ({@code <pv name>_<namespace>_<claim>}, the
 * provisioner's layout) is ever removed.
 */
public final class LocalPathCleaner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPathCleaner.class);
    /** The provisioner's finalizer (controllers' LocalPathProvisioner.CLEANUP_FINALIZER). */
    public static final String FINALIZER = "navis.dev/local-path-cleanup";
    static final String PROVISIONER = "rancher.io/local-path";

    private final KubeClient client;
    /** True for the volumes of this host's node(s). */
    private final java.util.function.Predicate<PersistentVolume> onThisHost;
    /** False for simulated nodes, which hold no directories. */
    private final boolean removeDirectories;
    private final SharedIndexInformer<PersistentVolume> volumes;
    private final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    /** {@code self} gives this node's Node (its labels decide which volumes are its own), or null. */
    public LocalPathCleaner(KubeClient client, String nodeName, Supplier<Node> self, Clock clock) {
        this(client, pv -> pinnedTo(pv, nodeOrDefault(self.get(), nodeName)), true, clock);
    }

    /**
     * For simulated nodes ({@code isSimulated} by node name, which is their hostname label): no directory exists,
     * the finalizer is removed so that their volumes' deletion completes.
     */
    public static LocalPathCleaner forSimulatedNodes(KubeClient client, java.util.function.Predicate<String> isSimulated,
                                                     Clock clock) {
        return new LocalPathCleaner(client, pv -> hostnames(pv).stream().anyMatch(isSimulated), false, clock);
    }

    private LocalPathCleaner(KubeClient client, java.util.function.Predicate<PersistentVolume> onThisHost,
                             boolean removeDirectories, Clock clock) {
        this.client = client;
        this.onThisHost = onThisHost;
        this.removeDirectories = removeDirectories;
        this.volumes = new SharedIndexInformer<>(client.persistentVolumes(), ListOptions.ALL, Duration.ZERO, clock,
                Backoff.REFLECTOR_DEFAULT);
        this.queue = new RateLimitingQueue<>("local-path-cleanup", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.workers = new Workers<>("local-path-cleanup", queue, this::sync, 0);
        volumes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolume pv) {
                enqueueIfDue(pv);
            }

            @Override
            public void onUpdate(PersistentVolume o, PersistentVolume n) {
                enqueueIfDue(n);
            }
        });
    }

    public void start() {
        volumes.start();
        workers.start(1);
    }

    @Override
    public void close() throws InterruptedException {
        workers.stop();
        volumes.stop();
    }

    private void enqueueIfDue(PersistentVolume pv) {
        if (pv.getMetadata().getDeletionTimestamp() != null && pv.getMetadata().getFinalizers() != null
                && pv.getMetadata().getFinalizers().contains(FINALIZER)) {
            queue.add(Keys.of(pv));
        }
    }

    void sync(String key) throws IOException {
        PersistentVolume pv = volumes.lister().getByKey(key);
        if (pv == null || pv.getMetadata().getDeletionTimestamp() == null || !mine(pv)
                || !pv.getMetadata().getFinalizers().contains(FINALIZER)) {
            return;
        }
        Path dir = removeDirectories ? directoryOf(pv) : null;
        if (dir != null) {
            deleteRecursively(dir);
            LOG.info("local-path volume {}: removed {}", pv.getMetadata().getName(), dir);
        }
        List<String> finalizers = pv.getMetadata().getFinalizers();
        int index = finalizers.indexOf(FINALIZER);
        try {
            // a JSON patch with a test: another finalizer removed meanwhile makes it fail instead of undoing that
            client.persistentVolumes().patch(pv.getMetadata().getName(), PatchType.JSON,
                    "[{\"op\":\"test\",\"path\":\"/metadata/finalizers/" + index + "\",\"value\":\"" + FINALIZER + "\"},"
                            + "{\"op\":\"remove\",\"path\":\"/metadata/finalizers/" + index + "\"}]");
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    /** Provisioned by local-path and pinned to this host's node(s). */
    private boolean mine(PersistentVolume pv) {
        return pv.getMetadata().getAnnotations() != null
                && PROVISIONER.equals(pv.getMetadata().getAnnotations().get(VolumeClaims.ANN_PROVISIONED_BY))
                && pv.getSpec().getNodeAffinity() != null && onThisHost.test(pv);
    }

    private static boolean pinnedTo(PersistentVolume pv, Node node) {
        return pv.getSpec().getNodeAffinity() != null && VolumeClaims.nodeAffinityMatches(pv, node);
    }

    private static Node nodeOrDefault(Node node, String nodeName) {
        return node != null ? node : new NodeBuilder().withNewMetadata().withName(nodeName)
                .addToLabels("kubernetes.io/hostname", nodeName).endMetadata().build();
    }

    /** The kubernetes.io/hostname values the provisioner pinned the volume to. */
    static List<String> hostnames(PersistentVolume pv) {
        var affinity = pv.getSpec().getNodeAffinity();
        if (affinity == null || affinity.getRequired() == null) {
            return List.of();
        }
        List<String> names = new java.util.ArrayList<>();
        for (var term : affinity.getRequired().getNodeSelectorTerms()) {
            for (var r : term.getMatchExpressions() == null ? List.<io.fabric8.kubernetes.api.model.NodeSelectorRequirement>of()
                    : term.getMatchExpressions()) {
                if ("kubernetes.io/hostname".equals(r.getKey()) && "In".equals(r.getOperator()) && r.getValues() != null) {
                    names.addAll(r.getValues());
                }
            }
        }
        return names;
    }

    /** The volume's directory if it follows the provisioner's naming, else null (nothing is removed). */
    static Path directoryOf(PersistentVolume pv) {
        if (pv.getSpec().getHostPath() == null || pv.getSpec().getHostPath().getPath() == null) {
            return null;
        }
        Path dir = Path.of(pv.getSpec().getHostPath().getPath()).normalize();
        Path name = dir.getFileName();
        if (!dir.isAbsolute() || name == null || !name.toString().startsWith(pv.getMetadata().getName() + "_")) {
            return null;
        }
        return dir;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

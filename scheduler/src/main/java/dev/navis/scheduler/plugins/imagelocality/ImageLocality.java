package dev.navis.scheduler.plugins.imagelocality;

import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.Handle;
import dev.navis.scheduler.framework.ImageStateSummary;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.ScorePlugin;
import io.fabric8.kubernetes.api.model.Container;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prefers nodes that already have the pod's images: the sum of the images' sizes, each scaled by the
 * fraction of nodes that have it (so images on every node do not dominate), clamped between 23 MB and
 * 1000 MB per container and mapped to [0, 100].
 */
public final class ImageLocality implements ScorePlugin {
    public static final String NAME = "ImageLocality";
    static final long MB = 1024L * 1024;
    static final long MIN_THRESHOLD = 23 * MB;
    static final long MAX_CONTAINER_THRESHOLD = 1000 * MB;
    private static final Object IMAGES_MEMO = new Object();

    private final Handle handle;

    public ImageLocality(Handle handle) {
        this.handle = handle;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        List<String> images = pod.memo(IMAGES_MEMO, ImageLocality::normalizedImages);
        int totalNodes = handle.snapshotSharedLister().nodeInfos().size();
        Map<String, ImageStateSummary> states = node.imageStates();
        long sum = 0;
        if (!states.isEmpty()) {
            for (String image : images) {
                ImageStateSummary s = states.get(image);
                if (s != null) {
                    sum += (long) (s.sizeBytes() * ((double) s.numNodes() / totalNodes));
                }
            }
        }
        return calculatePriority(sum, images.size());
    }

    static long calculatePriority(long sumScores, int numContainers) {
        long maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
        if (sumScores < MIN_THRESHOLD) {
            sumScores = MIN_THRESHOLD;
        } else if (sumScores > maxThreshold) {
            sumScores = maxThreshold;
        }
        if (maxThreshold <= MIN_THRESHOLD) {
            return 0;
        }
        return MAX_NODE_SCORE * (sumScores - MIN_THRESHOLD) / (maxThreshold - MIN_THRESHOLD);
    }

    private static List<String> normalizedImages(PodInfo pod) {
        List<String> images = new ArrayList<>();
        var spec = pod.pod().getSpec();
        if (spec.getInitContainers() != null) {
            for (Container c : spec.getInitContainers()) {
                images.add(normalizedImageName(c.getImage()));
            }
        }
        if (spec.getContainers() != null) {
            for (Container c : spec.getContainers()) {
                images.add(normalizedImageName(c.getImage()));
            }
        }
        return images;
    }

    /** "nginx" → "nginx:latest": an image without a tag means latest. */
    public static String normalizedImageName(String name) {
        if (name == null) {
            return "";
        }
        return name.lastIndexOf(':') <= name.lastIndexOf('/') ? name + ":latest" : name;
    }
}

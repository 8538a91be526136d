package dev.navis.kubelet.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BiConsumer;

/**
 * Upstream's image garbage collection policy (image_gc_manager): when the image file system is at least
 * {@code highThresholdPercent} full, unused images are removed until it is at most {@code lowThresholdPercent}
 * full (upstream's defaults: 85 and 80). The kubelet runs it every {@link #PERIOD_SECONDS} seconds.
 */
public final class ImageGarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ImageGarbageCollector.class);
    /** Upstream's ImageGCPeriod: 5 minutes. */
    public static final long PERIOD_SECONDS = 300;

    private final PodRuntime runtime;
    private final int highThresholdPercent;
    private final int lowThresholdPercent;
    private final BiConsumer<String, String> warning;

    /**
     * @param warning (reason, message) of a node event when not enough could be freed
     */
    public ImageGarbageCollector(PodRuntime runtime, int highThresholdPercent, int lowThresholdPercent,
                                 BiConsumer<String, String> warning) {
        if (lowThresholdPercent > highThresholdPercent) {
            throw new IllegalArgumentException("low threshold " + lowThresholdPercent + " above high threshold "
                    + highThresholdPercent);
        }
        this.runtime = runtime;
        this.highThresholdPercent = highThresholdPercent;
        this.lowThresholdPercent = lowThresholdPercent;
        this.warning = warning;
    }

    /** One check; the bytes freed (0 when below the high threshold or the runtime keeps no images). */
    public long runOnce() throws Exception {
        PodRuntime.ImageFs fs = runtime.imageFs();
        if (fs == null || fs.capacityBytes() <= 0) {
            return 0;
        }
        long usagePercent = 100 - fs.availableBytes() * 100 / fs.capacityBytes();
        if (usagePercent < highThresholdPercent) {
            return 0;
        }
        long toFree = fs.capacityBytes() * (100 - lowThresholdPercent) / 100 - fs.availableBytes();
        LOG.info("image file system {}% full (high threshold {}%): freeing {} bytes", usagePercent,
                highThresholdPercent, toFree);
        long freed = runtime.removeUnusedImages(toFree);
        if (freed < toFree) {
            warning.accept("FreeDiskSpaceFailed", "Failed to garbage collect required amount of images. Attempted to free "
                    + toFree + " bytes, but only found " + freed + " bytes eligible to free.");
        }
        return freed;
    }
}

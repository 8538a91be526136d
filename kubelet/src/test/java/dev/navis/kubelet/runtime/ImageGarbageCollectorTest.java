package dev.navis.kubelet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.kubelet.FakePodRuntime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageGarbageCollectorTest {

    /** A runtime whose image file system has a given size and free space and whose images free what they hold. */
    static final class Disk extends FakePodRuntime {
        long capacity = 1000;
        long available;
        long unusedImageBytes;
        final List<Long> asked = new ArrayList<>();

        @Override
        public ImageFs imageFs() {
            return new ImageFs(capacity, available);
        }

        @Override
        public long removeUnusedImages(long bytesToFree) {
            asked.add(bytesToFree);
            long freed = Math.min(unusedImageBytes, bytesToFree);
            available += freed;
            unusedImageBytes -= freed;
            return freed;
        }
    }

    private final List<String> warnings = new ArrayList<>();

    @Test
    void belowTheHighThresholdNothingIsRemoved() throws Exception {
        Disk disk = new Disk();
        disk.available = 160; // 84% full
        assertThat(new ImageGarbageCollector(disk, 85, 80, (r, m) -> warnings.add(r)).runOnce()).isZero();
        assertThat(disk.asked).isEmpty();
    }

    @Test
    void atTheHighThresholdImagesAreRemovedDownToTheLowOne() throws Exception {
        Disk disk = new Disk();
        disk.available = 100; // 90% full
        disk.unusedImageBytes = 500;
        long freed = new ImageGarbageCollector(disk, 85, 80, (r, m) -> warnings.add(r)).runOnce();
        assertThat(disk.asked).containsExactly(100L); // to 80% full: 200 available
        assertThat(freed).isEqualTo(100);
        assertThat(warnings).isEmpty();
    }

    @Test
    void tooFewUnusedImagesIsReportedAsUpstreamsFreeDiskSpaceFailed() throws Exception {
        Disk disk = new Disk();
        disk.available = 50;
        disk.unusedImageBytes = 20;
        new ImageGarbageCollector(disk, 85, 80, (r, m) -> warnings.add(r + ": " + m)).runOnce();
        assertThat(warnings).containsExactly("FreeDiskSpaceFailed: Failed to garbage collect required amount of images. "
                + "Attempted to free 150 bytes, but only found 20 bytes eligible to free.");
    }

    @Test
    void runtimesWithoutImagesAreLeftAlone() throws Exception {
        assertThat(new ImageGarbageCollector(new FakePodRuntime(), 85, 80, (r, m) -> warnings.add(r)).runOnce()).isZero();
        assertThatThrownBy(() -> new ImageGarbageCollector(new FakePodRuntime(), 70, 80, (r, m) -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.navis.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiBenchmarkPhaseTest {

    @Test
    void skippedPhasesAreNamedInAnyCase() {
        assertThat(ApiBenchmark.Phase.parse(List.of("list", "WATCH", " heap "))).containsExactlyInAnyOrder(
                ApiBenchmark.Phase.LIST, ApiBenchmark.Phase.WATCH, ApiBenchmark.Phase.HEAP);
        assertThat(ApiBenchmark.Phase.parse(List.of())).isEmpty();
        assertThatThrownBy(() -> ApiBenchmark.Phase.parse(List.of("creates")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("creates");
    }

    @Test
    void settingsRunEveryPhaseNotSkipped() {
        ApiBenchmark.Settings s = new ApiBenchmark.Settings(0, 1, 1, Duration.ofSeconds(1), 1, 1, 1, new int[] {1}, 1,
                Duration.ofSeconds(1), Set.of(ApiBenchmark.Phase.LIST));
        assertThat(EnumSet.allOf(ApiBenchmark.Phase.class).stream().filter(s::runs))
                .containsExactly(ApiBenchmark.Phase.GETS, ApiBenchmark.Phase.HEAP, ApiBenchmark.Phase.WATCH);
    }
}

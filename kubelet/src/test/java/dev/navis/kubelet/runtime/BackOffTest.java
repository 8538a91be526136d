package dev.navis.kubelet.runtime;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class BackOffTest {

    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    final BackOff backOff = BackOff.crashLoop(now::get);

    void advance(long seconds) {
        now.set(now.get().plusSeconds(seconds));
    }

    @Test
    void firstFailureRestartsAtOnceThenDelaysDoubleUpToFiveMinutes() {
        Instant exit = now.get();
        assertThat(backOff.isInBackOffSince("p/c", exit)).isFalse();
        backOff.next("p/c", exit);
        assertThat(backOff.get("p/c")).isEqualTo(Duration.ofSeconds(10));

        long[] expected = {20, 40, 80, 160, 300, 300};
        for (long delay : expected) {
            advance(1);
            Instant failed = now.get();
            assertThat(backOff.isInBackOffSince("p/c", failed)).isTrue();
            advance(backOff.get("p/c").toSeconds() - 1);
            assertThat(backOff.isInBackOffSince("p/c", failed)).isTrue();
            advance(1);
            assertThat(backOff.isInBackOffSince("p/c", failed)).isFalse();
            backOff.next("p/c", failed);
            assertThat(backOff.get("p/c")).isEqualTo(Duration.ofSeconds(delay));
        }
    }

    @Test
    void tenMinutesWithoutAFailureStartsOver() {
        backOff.next("p/c", now.get());
        advance(1);
        backOff.next("p/c", now.get());
        assertThat(backOff.get("p/c")).isEqualTo(Duration.ofSeconds(20));
        advance(601);
        Instant exit = now.get();
        assertThat(backOff.isInBackOffSince("p/c", exit)).isFalse();
        backOff.next("p/c", exit);
        assertThat(backOff.get("p/c")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void keysAreIndependentAndResetByPodPrefix() {
        backOff.next("a/c", now.get());
        backOff.next("b/c", now.get());
        backOff.resetPrefix("a/");
        assertThat(backOff.get("a/c")).isEqualTo(Duration.ZERO);
        assertThat(backOff.get("b/c")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void goDurationFormatsLikeUpstreamMessages() {
        assertThat(CriPodRuntime.goDuration(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(CriPodRuntime.goDuration(Duration.ofSeconds(160))).isEqualTo("2m40s");
        assertThat(CriPodRuntime.goDuration(Duration.ofMinutes(5))).isEqualTo("5m0s");
    }
}

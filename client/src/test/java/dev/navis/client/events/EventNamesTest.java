package dev.navis.client.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventNamesTest {
    @Test
    void namesAreUpstreamsHexNanosAndIncreaseWithinOneClockTick() {
        EventNames names = new EventNames();
        Instant t = Instant.parse("2026-12-07T10:00:00.000000500Z");
        assertThat(names.next("web", t)).isEqualTo("web." + Long.toHexString(t.getEpochSecond() * 1_000_000_000L + 500));
        String second = names.next("web", t);
        String third = names.next("web", t.minusSeconds(1)); // a clock that steps back
        assertThat(second).isEqualTo("web." + Long.toHexString(t.getEpochSecond() * 1_000_000_000L + 501));
        assertThat(third).isEqualTo("web." + Long.toHexString(t.getEpochSecond() * 1_000_000_000L + 502));
    }
}

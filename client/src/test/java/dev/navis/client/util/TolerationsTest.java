package dev.navis.client.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TolerationsTest {

    /** Columns: toleration key, operator, value, effect; taint key, value, effect; tolerated. Empty cell = unset. */
    @ParameterizedTest(name = "[{0} {1} {2} {3}] vs taint {4}={5}:{6} -> {7}")
    @CsvSource({
        "gpu, Equal, yes, NoSchedule, gpu, yes, NoSchedule, true",
        "gpu, , yes, NoSchedule, gpu, yes, NoSchedule, true",
        "gpu, Equal, no, NoSchedule, gpu, yes, NoSchedule, false",
        "gpu, Equal, , NoSchedule, gpu, , NoSchedule, true",
        "gpu, Exists, , NoSchedule, gpu, anything, NoSchedule, true",
        "gpu, Exists, , , gpu, yes, NoExecute, true",
        "gpu, Exists, , NoSchedule, gpu, yes, NoExecute, false",
        "gpu, Exists, , NoSchedule, disk, yes, NoSchedule, false",
        ", Exists, , , any, thing, PreferNoSchedule, true",
        ", Exists, , NoExecute, any, thing, NoSchedule, false",
        "gpu, Lt, 1, NoSchedule, gpu, 0, NoSchedule, false",
    })
    void toleratesAsUpstream(String key, String op, String value, String effect,
            String taintKey, String taintValue, String taintEffect, boolean tolerated) {
        Toleration t = new Toleration(effect, key, op, null, value);
        Taint taint = new Taint(taintEffect, taintKey, null, taintValue);
        assertThat(Tolerations.tolerates(t, taint)).isEqualTo(tolerated);
        assertThat(Tolerations.anyTolerates(List.of(new Toleration("NoSchedule", "other", "Exists", null, null), t), taint))
                .isEqualTo(tolerated || "other".equals(taintKey));
    }

    @ParameterizedTest(name = "no tolerations never tolerate {0}")
    @CsvSource({"NoSchedule", "NoExecute"})
    void noTolerations(String effect) {
        assertThat(Tolerations.anyTolerates(null, new Taint(effect, "k", null, "v"))).isFalse();
        assertThat(Tolerations.anyTolerates(List.of(), "k", "v", effect)).isFalse();
    }
}

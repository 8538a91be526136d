package dev.navis.apimachinery.admission;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class DefaultTolerationSecondsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ObjectNode pod(String tolerations) {
        return (ObjectNode) JSON.readTree("{\"spec\":{\"containers\":[{\"name\":\"c\"}]"
                + (tolerations == null ? "" : ",\"tolerations\":" + tolerations) + "}}");
    }

    @Test
    void addsBothTolerationsFor300Seconds() {
        ObjectNode p = pod(null);
        DefaultTolerationSeconds.apply(p);
        assertThat(p.path("spec").path("tolerations").toString()).isEqualTo("["
                + "{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300},"
                + "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300}]");
    }

    @Test
    void keepsTheUsersTolerationsAndAddsOnlyWhatIsMissing() {
        ObjectNode p = pod("[{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":6000},"
                + "{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]");
        DefaultTolerationSeconds.apply(p);
        assertThat(p.path("spec").path("tolerations")).hasSize(3);
        assertThat(p.path("spec").path("tolerations").get(0).path("tolerationSeconds").asLong()).isEqualTo(6000);
        assertThat(p.path("spec").path("tolerations").get(2).path("key").asString()).isEqualTo("node.kubernetes.io/not-ready");
    }

    @Test
    void anEmptyKeyToleratesEverything() {
        ObjectNode p = pod("[{\"operator\":\"Exists\"}]");
        DefaultTolerationSeconds.apply(p);
        assertThat(p.path("spec").path("tolerations")).hasSize(1);
    }

    @Test
    void theApiServersConfiguredSecondsAreUsed() {
        ObjectNode p = pod(null);
        DefaultTolerationSeconds.apply(p, 20, 10);
        assertThat(p.path("spec").path("tolerations").toString()).isEqualTo("["
                + "{\"key\":\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":20},"
                + "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":10}]");
    }
}

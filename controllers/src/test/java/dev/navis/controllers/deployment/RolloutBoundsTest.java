package dev.navis.controllers.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** maxSurge rounds up, maxUnavailable rounds down, never both 0 (upstream's ResolveFenceposts). */
class RolloutBoundsTest {

    @ParameterizedTest(name = "{0} replicas, surge {1}, unavailable {2} -> {3}/{4}")
    @CsvSource({
            "10, 25%, 25%, 3, 2",
            "3, 25%, 25%, 1, 0",
            "1, 25%, 25%, 1, 0",
            "10, 0%, 0%, 0, 1",
            "10, 2, 5, 2, 5",
            "0, 25%, 25%, 0, 1",
            "0, 0, 0, 0, 1",
            "7, 50%, 50%, 4, 3"})
    void resolves(int replicas, String surge, String unavailable, int expectSurge, int expectUnavailable) {
        Deployment d = new DeploymentBuilder().withNewSpec().withReplicas(replicas).withNewStrategy()
                .withType("RollingUpdate").withNewRollingUpdate().withMaxSurge(value(surge))
                .withMaxUnavailable(value(unavailable)).endRollingUpdate().endStrategy().endSpec().build();
        assertThat(RolloutBounds.of(d)).isEqualTo(new RolloutBounds(expectSurge, expectUnavailable));
    }

    @ParameterizedTest
    @CsvSource({"4, 10, 4", "4, 1, 1", "0, 1, 0"})
    void maxUnavailableNeverExceedsReplicas(int replicas, int unavailable, int expected) {
        Deployment d = new DeploymentBuilder().withNewSpec().withReplicas(replicas).withNewStrategy()
                .withType("RollingUpdate").withNewRollingUpdate().withMaxSurge(new IntOrString(1))
                .withMaxUnavailable(new IntOrString(unavailable)).endRollingUpdate().endStrategy().endSpec().build();
        assertThat(RolloutBounds.maxUnavailable(d)).isEqualTo(expected);
    }

    private static IntOrString value(String s) {
        return s.endsWith("%") ? new IntOrString(s) : new IntOrString(Integer.parseInt(s));
    }
}

package dev.navis.controllers.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import org.junit.jupiter.api.Test;

class PodTemplateHashTest {

    @Test
    void stableSafeAndSensitiveToTemplateAndCollisionCount() {
        String a = PodTemplateHash.of(template("nginx:1"), null);
        assertThat(PodTemplateHash.of(template("nginx:1"), null)).isEqualTo(a);
        assertThat(a).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}");
        assertThat(PodTemplateHash.of(template("nginx:2"), null)).isNotEqualTo(a);
        assertThat(PodTemplateHash.of(template("nginx:1"), 1)).isNotEqualTo(a)
                .isNotEqualTo(PodTemplateHash.of(template("nginx:1"), 2));
    }

    private static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewSpec().addNewContainer().withName("c").withImage(image)
                .endContainer().endSpec().build();
    }
}

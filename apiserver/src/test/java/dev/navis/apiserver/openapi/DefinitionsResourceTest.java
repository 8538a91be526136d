package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The committed definitions resource must be what the generator makes from its sources today. Regenerate with
 * {@code mvn -pl apiserver -am test -Dtest=DefinitionsResourceTest -Dnavis.openapi.regenerate=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class DefinitionsResourceTest {

    private static final Path RESOURCE =
            Path.of("src/main/resources/dev/navis/apiserver/openapi", BuiltinSchemas.RESOURCE);

    @Test
    void definitionsCarryUpstreamNames() {
        for (String name : java.util.List.of("io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.PodTemplateSpec",
                "io.k8s.api.core.v1.EventSeries", "io.k8s.api.events.v1.EventSeries", "io.k8s.api.rbac.v1.Subject",
                "io.k8s.api.flowcontrol.v1.Subject", "io.k8s.api.apps.v1.DeploymentSpec",
                "io.k8s.api.autoscaling.v1.Scale", "io.k8s.api.autoscaling.v2.MetricSpec",
                "io.k8s.api.networking.v1.IngressSpec", "io.k8s.api.resource.v1beta1.DeviceClass",
                "io.k8s.api.discovery.v1.EndpointPort", "io.k8s.api.core.v1.EndpointPort",
                "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
                "io.k8s.apimachinery.pkg.api.resource.Quantity", "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
                "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps",
                "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService")) {
            assertThat(BuiltinSchemas.get().definition(name)).as(name).isPresent();
        }
        assertThat(BuiltinSchemas.get().definition("io.k8s.api.core.v1.DeploymentSpec")).isEmpty();
        assertThat(BuiltinSchemas.get().nameOf("policy", "v1", "Eviction")).contains("io.k8s.api.policy.v1.Eviction");
    }

    @Test
    void committedResourceMatchesGenerator() throws Exception {
        DefinitionsGenerator generator = new DefinitionsGenerator();
        if (Boolean.getBoolean("navis.openapi.regenerate")) {
            generator.writeTo(RESOURCE);
        }
        ObjectNode generated = generator.generate();
        try (var in = java.nio.file.Files.newInputStream(RESOURCE)) {
            assertThat(BuiltinSchemas.read(in)).isEqualTo(generated);
        }
    }
}

package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltinSchemasTest {

    @Test
    void definitionsCarryUpstreamNames() {
        for (String name : List.of("io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.PodTemplateSpec",
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
        assertThat(BuiltinSchemas.get().nameOf("apps", "v1", "DeploymentList"))
                .contains("io.k8s.api.apps.v1.DeploymentList");
    }
}

package dev.navis.apiserver.rest;

import dev.navis.api.FieldError;
import dev.navis.api.ResourceDefinition;
import dev.navis.api.ResourceStrategy;
import dev.navis.api.TableColumn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A handful of resource definitions with simple strategies, standing in for BuiltinResources in tests. */
final class TestResources {
    private TestResources() {
    }

    static final ResourceStrategy PODS = new ResourceStrategy() {
        @Override
        public void applyDefaults(ObjectNode object) {
            JsonNode spec = object.path("spec");
            if (spec instanceof ObjectNode s && !s.has("restartPolicy")) {
                s.put("restartPolicy", "Always");
            }
        }

        @Override
        public List<FieldError> validate(ObjectNode object) {
            List<FieldError> errors = new ArrayList<>();
            if (object.path("spec").path("containers").isEmpty()) {
                errors.add(FieldError.required("spec.containers", ""));
            }
            int i = 0;
            for (JsonNode c : object.path("spec").path("containers")) {
                if (c.path("image").asString("").isEmpty()) {
                    errors.add(FieldError.required("spec.containers[" + i + "].image", ""));
                }
                i++;
            }
            return errors;
        }

        @Override
        public List<TableColumn> columns() {
            return List.of(TableColumn.NAME, TableColumn.of("Status", "string", "phase"), TableColumn.AGE,
                    TableColumn.wide("Node", "string", "node"));
        }

        @Override
        public List<Object> cells(ObjectNode object, Instant now) {
            return List.of(object.path("metadata").path("name").asString(""),
                    object.path("status").path("phase").asString(""), TableColumn.age(object, now),
                    object.path("spec").path("nodeName").asString("<none>"));
        }

        @Override
        public Map<String, Function<JsonNode, String>> selectableFields() {
            return Map.of("spec.nodeName", o -> o.path("spec").path("nodeName").asString(""),
                    "status.phase", o -> o.path("status").path("phase").asString(""));
        }
    };

    static final ResourceStrategy PLAIN = new ResourceStrategy() {
    };

    static List<ResourceDefinition> all() {
        return List.of(
                new ResourceDefinition("", "v1", "Namespace", "namespaces", "namespace", false, List.of("ns"),
                        List.of(), Set.of("status", "finalize"), PLAIN),
                new ResourceDefinition("", "v1", "Pod", "pods", "pod", true, List.of("po"), List.of("all"),
                        Set.of("status", "binding", "eviction"), PODS),
                new ResourceDefinition("", "v1", "Service", "services", "service", true, List.of("svc"),
                        List.of("all"), Set.of("status"), PLAIN),
                new ResourceDefinition("", "v1", "ConfigMap", "configmaps", "configmap", true, List.of("cm"),
                        List.of(), Set.of(), PLAIN),
                new ResourceDefinition("", "v1", "Endpoints", "endpoints", "endpoints", true, List.of("ep"),
                        List.of(), Set.of(), PLAIN),
                new ResourceDefinition("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets",
                        "poddisruptionbudget", true, List.of("pdb"), List.of(), Set.of("status"), PLAIN),
                new ResourceDefinition("", "v1", "Event", "events", "event", true, List.of("ev"), List.of(), Set.of(),
                        PLAIN),
                new ResourceDefinition("events.k8s.io", "v1", "Event", "events", "event", true, List.of("ev"),
                        List.of(), Set.of(), PLAIN),
                new ResourceDefinition("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
                        "horizontalpodautoscaler", true, List.of("hpa"), List.of("all"), Set.of("status"), PLAIN),
                new ResourceDefinition("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
                        "horizontalpodautoscaler", true, List.of("hpa"), List.of("all"), Set.of("status"), PLAIN),
                new ResourceDefinition("apps", "v1", "Deployment", "deployments", "deployment", true,
                        List.of("deploy"), List.of("all"), Set.of("status", "scale"), PLAIN));
    }
}

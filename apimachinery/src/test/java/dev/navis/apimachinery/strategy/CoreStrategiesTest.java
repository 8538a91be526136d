package dev.navis.apimachinery.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.strategy.autoscaling.HorizontalPodAutoscalerStrategy;
import dev.navis.apimachinery.strategy.core.ConfigMapStrategy;
import dev.navis.apimachinery.strategy.core.EndpointsStrategy;
import dev.navis.apimachinery.strategy.core.EventStrategy;
import dev.navis.apimachinery.strategy.core.NamespaceStrategy;
import dev.navis.apimachinery.strategy.core.NodeStrategy;
import dev.navis.apimachinery.strategy.core.SecretStrategy;
import dev.navis.apimachinery.strategy.core.ServiceStrategy;
import dev.navis.apimachinery.strategy.rbac.RoleBindingStrategy;
import dev.navis.apimachinery.strategy.rbac.RoleStrategy;
import dev.navis.apimachinery.strategy.storage.StorageClassStrategy;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class CoreStrategiesTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private static ObjectNode obj(String json) {
        ObjectNode o = Nodes.parse(json);
        ObjectNode meta = Nodes.object(o, "metadata");
        if (!meta.has("name")) {
            meta.put("name", "x");
        }
        meta.put("creationTimestamp", "2026-01-01T10:00:00Z");
        return o;
    }

    private static List<String> messages(List<FieldError> errs) {
        return errs.stream().map(FieldError::toString).toList();
    }

    @Test
    void serviceDefaults() {
        ServiceStrategy s = new ServiceStrategy();
        ObjectNode svc = obj("{\"metadata\":{\"namespace\":\"d\"},\"spec\":{\"selector\":{\"app\":\"web\"},"
                + "\"ports\":[{\"port\":80}]}}");
        s.applyDefaults(svc);
        assertThat(svc.get("spec")).isEqualTo(Nodes.parse("""
                {"selector":{"app":"web"},"ports":[{"port":80,"protocol":"TCP","targetPort":80}],
                 "sessionAffinity":"None","type":"ClusterIP","internalTrafficPolicy":"Cluster"}"""));
        assertThat(s.validate(svc)).isEmpty();
        ObjectNode lb = obj("{\"metadata\":{\"namespace\":\"d\"},\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":443,"
                + "\"targetPort\":\"https\"}]}}");
        s.applyDefaults(lb);
        assertThat(lb.at("/spec/externalTrafficPolicy").asString()).isEqualTo("Cluster");
        assertThat(lb.at("/spec/allocateLoadBalancerNodePorts").asBoolean()).isTrue();
        assertThat(lb.at("/spec/ports/0/targetPort").asString()).isEqualTo("https");
    }

    static Stream<Arguments> invalidServices() {
        return Stream.of(
                Arguments.of("{}", List.of("spec.ports: Required value")),
                Arguments.of("{\"type\":\"Magic\",\"ports\":[{\"port\":80}]}",
                        List.of("spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", "
                                + "\"LoadBalancer\", \"NodePort\"")),
                Arguments.of("{\"ports\":[{\"port\":80,\"nodePort\":30080}]}",
                        List.of("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'")),
                Arguments.of("{\"ports\":[{\"port\":80},{\"port\":81}]}",
                        List.of("spec.ports[0].name: Required value", "spec.ports[1].name: Required value")),
                Arguments.of("{\"ports\":[{\"port\":0}]}",
                        List.of("spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                                "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive")),
                Arguments.of("{\"clusterIP\":\"None\"}", List.of()),
                Arguments.of("{\"type\":\"ExternalName\",\"externalName\":\"example.com\"}", List.of()));
    }

    @ParameterizedTest
    @MethodSource("invalidServices")
    void serviceValidation(String spec, List<String> expected) {
        ServiceStrategy s = new ServiceStrategy();
        ObjectNode svc = obj("{\"metadata\":{\"namespace\":\"d\"},\"spec\":" + spec + "}");
        s.applyDefaults(svc);
        assertThat(messages(s.validate(svc))).containsExactlyElementsOf(expected);
    }

    @Test
    void serviceTableAndClusterIpImmutability() {
        ServiceStrategy s = new ServiceStrategy();
        ObjectNode svc = obj("{\"metadata\":{\"namespace\":\"d\"},\"spec\":{\"type\":\"NodePort\",\"clusterIP\":\"10.0.0.10\","
                + "\"clusterIPs\":[\"10.0.0.10\"],\"selector\":{\"app\":\"web\"},\"ports\":[{\"port\":80,\"nodePort\":30080,"
                + "\"protocol\":\"TCP\"},{\"port\":53,\"protocol\":\"UDP\"}]}}");
        assertThat(s.columns()).extracting(c -> c.name()).containsExactly("Name", "Type", "Cluster-IP", "External-IP",
                "Port(s)", "Age", "Selector");
        assertThat(s.cells(svc, NOW)).containsExactly("x", "NodePort", "10.0.0.10", "<none>", "80:30080/TCP,53/UDP", "120m",
                "app=web");
        ObjectNode lb = obj("{\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[]}}");
        assertThat(s.cells(lb, NOW).get(3)).isEqualTo("<pending>");
        lb.set("status", Nodes.parse("{\"loadBalancer\":{\"ingress\":[{\"ip\":\"1.2.3.4\"}]}}"));
        assertThat(s.cells(lb, NOW).get(3)).isEqualTo("1.2.3.4");
        ObjectNode moved = svc.deepCopy();
        ((ObjectNode) moved.get("spec")).put("clusterIP", "10.0.0.11");
        assertThat(messages(s.validateUpdate(moved, svc))).contains(
                "spec.clusterIPs[0]: Invalid value: \"10.0.0.11\": may not change once set");
    }

    @Test
    void namespaceDefaultsAndTable() {
        NamespaceStrategy s = new NamespaceStrategy();
        ObjectNode ns = obj("{\"metadata\":{\"name\":\"team-a\"}}");
        s.applyDefaults(ns);
        assertThat(ns.at("/metadata/labels/kubernetes.io~1metadata.name").asString()).isEqualTo("team-a");
        assertThat(ns.at("/spec")).isEqualTo(Nodes.parse("{\"finalizers\":[\"kubernetes\"]}"));
        assertThat(ns.at("/status/phase").asString()).isEqualTo("Active");
        assertThat(s.validate(ns)).isEmpty();
        assertThat(s.cells(ns, NOW)).containsExactly("team-a", "Active", "120m");
        assertThat(s.selectableFields().get("status.phase").apply(ns)).isEqualTo("Active");
        assertThat(messages(s.validate(obj("{\"metadata\":{\"name\":\"a.b\"}}")))).hasSize(1).first().asString()
                .startsWith("metadata.name: Invalid value: \"a.b\": a lowercase RFC 1123 label");
    }

    @Test
    void configMapsAndSecrets() {
        ConfigMapStrategy cm = new ConfigMapStrategy();
        ObjectNode c = obj("{\"metadata\":{\"namespace\":\"d\"},\"data\":{\"a.conf\":\"x\",\"bad key\":\"y\"},"
                + "\"binaryData\":{\"a.conf\":\"eA==\"}}");
        assertThat(messages(cm.validate(c))).containsExactly(
                "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, "
                        + "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
                        + "'[-._a-zA-Z0-9]+')",
                "binaryData: Invalid value: \"a.conf\": duplicate of key present in data");
        assertThat(cm.cells(c, NOW)).containsExactly("x", 3L, "120m");
        ObjectNode frozen = obj("{\"metadata\":{\"namespace\":\"d\"},\"immutable\":true,\"data\":{\"a\":\"1\"}}");
        ObjectNode thawed = frozen.deepCopy();
        thawed.put("immutable", false);
        ((ObjectNode) thawed.get("data")).put("a", "2");
        assertThat(messages(cm.validateUpdate(thawed, frozen))).containsExactly(
                "immutable: Forbidden: field is immutable when `immutable` is set",
                "data: Forbidden: field is immutable when `immutable` is set");

        SecretStrategy s = new SecretStrategy();
        ObjectNode secret = obj("{\"metadata\":{\"namespace\":\"d\"},\"data\":{\"k\":\"dg==\"}}");
        s.applyDefaults(secret);
        assertThat(secret.get("type").asString()).isEqualTo("Opaque");
        assertThat(s.validate(secret)).isEmpty();
        assertThat(s.cells(secret, NOW)).containsExactly("x", "Opaque", 1L, "120m");
        ObjectNode tls = obj("{\"metadata\":{\"namespace\":\"d\"},\"type\":\"kubernetes.io/tls\",\"data\":{\"tls.crt\":\"eA==\"}}");
        assertThat(messages(s.validate(tls))).containsExactly("data[tls.key]: Required value");
        ObjectNode retyped = secret.deepCopy();
        retyped.put("type", "kubernetes.io/tls");
        assertThat(messages(s.validateUpdate(retyped, secret))).contains(
                "type: Invalid value: \"kubernetes.io/tls\": field is immutable");
        assertThat(s.selectableFields().get("type").apply(secret)).isEqualTo("Opaque");
        ObjectNode literal = obj("{\"metadata\":{\"namespace\":\"d\"},\"data\":{\"a\":\"eA==\"},"
                + "\"stringData\":{\"a\":\"yy\",\"b\":\"zz\"}}");
        s.applyDefaults(literal);
        assertThat(literal.has("stringData")).isFalse();
        assertThat(literal.get("data")).isEqualTo(Nodes.parse("{\"a\":\"eXk=\",\"b\":\"eno=\"}"));
    }

    @Test
    void nodesTable() {
        NodeStrategy s = new NodeStrategy();
        ObjectNode n = obj("""
                {"metadata":{"name":"n1","labels":{"node-role.kubernetes.io/control-plane":""}},
                 "spec":{"unschedulable":true},
                 "status":{"conditions":[{"type":"Ready","status":"True"}],"addresses":[{"type":"InternalIP","address":"10.1.0.2"}],
                  "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian","kernelVersion":"6.1","containerRuntimeVersion":"navis://0.1"}}}""");
        assertThat(s.cells(n, NOW)).containsExactly("n1", "Ready,SchedulingDisabled", "control-plane", "120m", "v1.32.0",
                "10.1.0.2", "<none>", "Debian", "6.1", "navis://0.1");
        assertThat(s.selectableFields().get("spec.unschedulable").apply(n)).isEqualTo("true");
    }

    @Test
    void endpointsFormat() {
        ObjectNode ep = obj("""
                {"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"},{"ip":"10.0.0.3"},{"ip":"10.0.0.4"}],
                 "ports":[{"port":80}]}]}""");
        assertThat(new EndpointsStrategy().cells(ep, NOW).get(1)).isEqualTo("10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...");
        assertThat(new EndpointsStrategy().cells(obj("{}"), NOW).get(1)).isEqualTo("<none>");
    }

    @Test
    void eventsPrintForBothApis() {
        ObjectNode core = obj("""
                {"metadata":{"namespace":"d"},"involvedObject":{"kind":"Pod","name":"web-1","namespace":"d"},
                 "reason":"Scheduled","message":"Successfully assigned d/web-1 to n1 ","type":"Normal",
                 "source":{"component":"default-scheduler"},"firstTimestamp":"2026-01-01T11:59:00Z",
                 "lastTimestamp":"2026-01-01T11:59:30Z","count":2}""");
        EventStrategy s = new EventStrategy(false);
        assertThat(s.columns()).extracting(c -> c.name()).containsExactly("Last Seen", "Type", "Reason", "Object",
                "Subobject", "Source", "Message", "First Seen", "Count", "Name");
        assertThat(s.cells(core, NOW)).containsExactly("30s", "Normal", "Scheduled", "pod/web-1", "", "default-scheduler",
                "Successfully assigned d/web-1 to n1", "60s", 2L, "x");
        assertThat(s.selectableFields().get("involvedObject.name").apply(core)).isEqualTo("web-1");
        assertThat(s.selectableFields().get("source").apply(core)).isEqualTo("default-scheduler");
        ObjectNode v1 = obj("""
                {"metadata":{"namespace":"d"},"regarding":{"kind":"Node","name":"n1"},"reason":"Ready","note":"ok",
                 "type":"Normal","eventTime":"2026-01-01T11:58:00.000000Z","reportingController":"kubelet",
                 "reportingInstance":"n1","action":"Status"}""");
        EventStrategy e = new EventStrategy(true);
        assertThat(e.validate(v1)).isEmpty();
        assertThat(e.cells(v1, NOW)).containsExactly("2m", "Normal", "Ready", "node/n1", "", "kubelet, n1", "ok", "2m",
                1L, "x");
    }

    @Test
    void rbac() {
        RoleStrategy role = new RoleStrategy(true);
        ObjectNode r = obj("{\"metadata\":{\"name\":\"system:reader\",\"namespace\":\"d\"},\"rules\":[{\"verbs\":[]},"
                + "{\"verbs\":[\"get\"],\"nonResourceURLs\":[\"/healthz\"]}]}");
        assertThat(messages(role.validate(r))).containsExactly(
                "rules[0].verbs: Required value: verbs must contain at least one value",
                "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
                "rules[0].resources: Required value: resource rules must supply at least one resource",
                "rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply to "
                        + "non-resource URLs");
        assertThat(role.cells(r, NOW)).containsExactly("system:reader", "2026-01-01T10:00:00Z");
        RoleBindingStrategy rb = new RoleBindingStrategy(true);
        ObjectNode b = obj("{\"metadata\":{\"namespace\":\"d\"},\"roleRef\":{\"kind\":\"Role\",\"name\":\"reader\"},"
                + "\"subjects\":[{\"kind\":\"User\",\"name\":\"alice\"},{\"kind\":\"ServiceAccount\",\"name\":\"sa\","
                + "\"namespace\":\"d\"}]}");
        rb.applyDefaults(b);
        assertThat(b.at("/roleRef/apiGroup").asString()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(b.at("/subjects/0/apiGroup").asString()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(b.at("/subjects/1/apiGroup").asString()).isEmpty();
        assertThat(rb.validate(b)).isEmpty();
        assertThat(rb.cells(b, NOW)).containsExactly("x", "Role/reader", "120m", "alice", "", "d/sa");
        ObjectNode changed = b.deepCopy();
        ((ObjectNode) changed.get("roleRef")).put("name", "admin");
        assertThat(messages(rb.validateUpdate(changed, b))).hasSize(1).first().asString().endsWith(": cannot change roleRef");
    }

    @Test
    void hpaTargetsAndStorageClassDefault() {
        HorizontalPodAutoscalerStrategy s = new HorizontalPodAutoscalerStrategy();
        ObjectNode h = obj("{\"metadata\":{\"namespace\":\"d\"},\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\","
                + "\"name\":\"web\",\"apiVersion\":\"apps/v1\"},\"maxReplicas\":5}}");
        s.applyDefaults(h);
        assertThat(s.validate(h)).isEmpty();
        assertThat(s.cells(h, NOW)).containsExactly("x", "Deployment/web", "cpu: <unknown>/80%", "1", 5L, 0L, "120m");
        StorageClassStrategy sc = new StorageClassStrategy();
        ObjectNode c = obj("{\"metadata\":{\"name\":\"standard\",\"annotations\":{\"storageclass.kubernetes.io/"
                + "is-default-class\":\"true\"}},\"provisioner\":\"rancher.io/local-path\"}");
        sc.applyDefaults(c);
        assertThat(sc.validate(c)).isEmpty();
        assertThat(sc.cells(c, NOW)).containsExactly("standard (default)", "rancher.io/local-path", "Delete", "Immediate",
                false, "120m");
    }
}

package dev.navis.apimachinery.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.json.Nodes;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class BuiltinResourcesTest {

    /** As `kubectl api-resources -o wide` lists them upstream (1.32). */
    @ParameterizedTest(name = "{1}.{0}")
    @CsvSource(delimiter = '|', value = {
        "namespaces | ''  | v1 | Namespace | false | ns | '' | finalize,status",
        "pods | '' | v1 | Pod | true | po | all | attach,binding,ephemeralcontainers,eviction,exec,log,portforward,proxy,status",
        "nodes | '' | v1 | Node | false | no | '' | proxy,status",
        "services | '' | v1 | Service | true | svc | all | proxy,status",
        "endpoints | '' | v1 | Endpoints | true | ep | '' | ''",
        "configmaps | '' | v1 | ConfigMap | true | cm | '' | ''",
        "secrets | '' | v1 | Secret | true | '' | '' | ''",
        "serviceaccounts | '' | v1 | ServiceAccount | true | sa | '' | token",
        "events | '' | v1 | Event | true | ev | '' | ''",
        "resourcequotas | '' | v1 | ResourceQuota | true | quota | '' | status",
        "limitranges | '' | v1 | LimitRange | true | limits | '' | ''",
        "persistentvolumes | '' | v1 | PersistentVolume | false | pv | '' | status",
        "persistentvolumeclaims | '' | v1 | PersistentVolumeClaim | true | pvc | '' | status",
        "podtemplates | '' | v1 | PodTemplate | true | '' | '' | ''",
        "replicationcontrollers | '' | v1 | ReplicationController | true | rc | all | scale,status",
        "deployments | apps | v1 | Deployment | true | deploy | all | scale,status",
        "replicasets | apps | v1 | ReplicaSet | true | rs | all | scale,status",
        "statefulsets | apps | v1 | StatefulSet | true | sts | all | scale,status",
        "daemonsets | apps | v1 | DaemonSet | true | ds | all | status",
        "controllerrevisions | apps | v1 | ControllerRevision | true | '' | '' | ''",
        "jobs | batch | v1 | Job | true | '' | all | status",
        "cronjobs | batch | v1 | CronJob | true | cj | all | status",
        "horizontalpodautoscalers | autoscaling | v2 | HorizontalPodAutoscaler | true | hpa | all | status",
        "leases | coordination.k8s.io | v1 | Lease | true | '' | '' | ''",
        "endpointslices | discovery.k8s.io | v1 | EndpointSlice | true | '' | '' | ''",
        "events | events.k8s.io | v1 | Event | true | ev | '' | ''",
        "ingresses | networking.k8s.io | v1 | Ingress | true | ing | '' | status",
        "ingressclasses | networking.k8s.io | v1 | IngressClass | false | '' | '' | ''",
        "networkpolicies | networking.k8s.io | v1 | NetworkPolicy | true | netpol | '' | ''",
        "poddisruptionbudgets | policy | v1 | PodDisruptionBudget | true | pdb | '' | status",
        "priorityclasses | scheduling.k8s.io | v1 | PriorityClass | false | pc | '' | ''",
        "roles | rbac.authorization.k8s.io | v1 | Role | true | '' | '' | ''",
        "rolebindings | rbac.authorization.k8s.io | v1 | RoleBinding | true | '' | '' | ''",
        "clusterroles | rbac.authorization.k8s.io | v1 | ClusterRole | false | '' | '' | ''",
        "clusterrolebindings | rbac.authorization.k8s.io | v1 | ClusterRoleBinding | false | '' | '' | ''",
        "storageclasses | storage.k8s.io | v1 | StorageClass | false | sc | '' | ''",
        "certificatesigningrequests | certificates.k8s.io | v1 | CertificateSigningRequest | false | csr | '' | approval,status",
    })
    void matchesUpstreamDiscovery(String plural, String group, String version, String kind, boolean namespaced,
                                  String shortNames, String categories, String subresources) {
        ResourceDefinition r = BuiltinResources.find(group, version, plural).orElseThrow();
        assertThat(r.kind()).isEqualTo(kind);
        assertThat(r.singular()).isEqualTo(kind.toLowerCase());
        assertThat(r.namespaced()).isEqualTo(namespaced);
        assertThat(r.shortNames()).isEqualTo(split(shortNames));
        assertThat(r.categories()).isEqualTo(split(categories));
        assertThat(r.subresources()).isEqualTo(new HashSet<>(split(subresources)));
        assertThat(BuiltinResources.byKind(group, kind)).contains(r);
    }

    private static List<String> split(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split(","));
    }

    @Test
    void resourcesAreUnique() {
        Set<String> seen = new HashSet<>();
        for (ResourceDefinition r : BuiltinResources.all()) {
            String gvr = r.group() + "/" + r.version() + "/" + r.plural();
            assertThat(seen.add(gvr)).as(gvr).isTrue();
        }
        assertThat(BuiltinResources.all()).hasSize(39);
    }

    private static final String TEMPLATE = "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":"
            + "[{\"name\":\"c\",\"image\":\"nginx\"}]}}";
    private static final String SELECTOR = "{\"matchLabels\":{\"app\":\"web\"}}";

    /** A minimal valid object of each kind, as a user would create it. */
    private static final Map<String, String> SAMPLES = Map.ofEntries(
            Map.entry("Namespace", "{}"),
            Map.entry("Pod", "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}"),
            Map.entry("Node", "{\"spec\":{}}"),
            Map.entry("Service", "{\"spec\":{\"ports\":[{\"port\":80}],\"selector\":{\"app\":\"web\"}}}"),
            Map.entry("Endpoints", "{\"subsets\":[{\"addresses\":[{\"ip\":\"10.0.0.1\"}],\"ports\":[{\"port\":80}]}]}"),
            Map.entry("ConfigMap", "{\"data\":{\"k\":\"v\"}}"),
            Map.entry("Secret", "{\"data\":{\"k\":\"dg==\"}}"),
            Map.entry("ServiceAccount", "{}"),
            Map.entry("Event", "{\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\"},\"reason\":\"R\",\"message\":\"m\"}"),
            Map.entry("ResourceQuota", "{\"spec\":{\"hard\":{\"pods\":\"10\"}}}"),
            Map.entry("LimitRange", "{\"spec\":{\"limits\":[{\"type\":\"Container\",\"max\":{\"cpu\":\"1\"}}]}}"),
            Map.entry("PersistentVolume", "{\"spec\":{\"capacity\":{\"storage\":\"1Gi\"},\"accessModes\":[\"ReadWriteOnce\"],"
                    + "\"hostPath\":{\"path\":\"/data\"}}}"),
            Map.entry("PersistentVolumeClaim", "{\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],\"resources\":{\"requests\":"
                    + "{\"storage\":\"1Gi\"}}}}"),
            Map.entry("PodTemplate", "{\"template\":" + TEMPLATE + "}"),
            Map.entry("ReplicationController", "{\"spec\":{\"template\":" + TEMPLATE + "}}"),
            Map.entry("Deployment", "{\"spec\":{\"selector\":" + SELECTOR + ",\"template\":" + TEMPLATE + "}}"),
            Map.entry("ReplicaSet", "{\"spec\":{\"selector\":" + SELECTOR + ",\"template\":" + TEMPLATE + "}}"),
            Map.entry("StatefulSet", "{\"spec\":{\"selector\":" + SELECTOR + ",\"serviceName\":\"s\",\"template\":" + TEMPLATE + "}}"),
            Map.entry("DaemonSet", "{\"spec\":{\"selector\":" + SELECTOR + ",\"template\":" + TEMPLATE + "}}"),
            Map.entry("ControllerRevision", "{\"data\":{},\"revision\":1}"),
            Map.entry("Job", "{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\","
                    + "\"image\":\"perl\"}]}}}}"),
            Map.entry("CronJob", "{\"spec\":{\"schedule\":\"@hourly\",\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":"
                    + "{\"restartPolicy\":\"OnFailure\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}}}"),
            Map.entry("HorizontalPodAutoscaler", "{\"spec\":{\"scaleTargetRef\":{\"kind\":\"Deployment\",\"name\":\"web\"},"
                    + "\"maxReplicas\":3}}"),
            Map.entry("Lease", "{\"spec\":{\"holderIdentity\":\"me\",\"leaseDurationSeconds\":15}}"),
            Map.entry("EndpointSlice", "{\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[\"10.0.0.1\"]}],"
                    + "\"ports\":[{\"port\":80}]}"),
            Map.entry("events.k8s.io/Event", "{\"regarding\":{\"kind\":\"Pod\",\"name\":\"p\"},\"reason\":\"R\",\"note\":\"n\","
                    + "\"type\":\"Normal\",\"eventTime\":\"2026-01-01T00:00:00.000000Z\",\"reportingController\":\"c\","
                    + "\"reportingInstance\":\"i\",\"action\":\"A\"}"),
            Map.entry("Ingress", "{\"spec\":{\"rules\":[{\"host\":\"example.com\",\"http\":{\"paths\":[{\"path\":\"/\","
                    + "\"pathType\":\"Prefix\",\"backend\":{\"service\":{\"name\":\"web\",\"port\":{\"number\":80}}}}]}}]}}"),
            Map.entry("IngressClass", "{\"spec\":{\"controller\":\"example.com/ingress\"}}"),
            Map.entry("NetworkPolicy", "{\"spec\":{\"podSelector\":" + SELECTOR + "}}"),
            Map.entry("PodDisruptionBudget", "{\"spec\":{\"minAvailable\":1,\"selector\":" + SELECTOR + "}}"),
            Map.entry("PriorityClass", "{\"value\":1000}"),
            Map.entry("Role", "{\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]}"),
            Map.entry("RoleBinding", "{\"roleRef\":{\"kind\":\"Role\",\"name\":\"r\"},\"subjects\":[{\"kind\":\"User\","
                    + "\"name\":\"u\"}]}"),
            Map.entry("ClusterRole", "{\"rules\":[{\"nonResourceURLs\":[\"/healthz\"],\"verbs\":[\"get\"]}]}"),
            Map.entry("ClusterRoleBinding", "{\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"r\"},\"subjects\":"
                    + "[{\"kind\":\"ServiceAccount\",\"name\":\"s\",\"namespace\":\"d\"}]}"),
            Map.entry("StorageClass", "{\"provisioner\":\"example.com/p\"}"),
            Map.entry("CustomResourceDefinition", "{\"spec\":{\"group\":\"example.com\",\"scope\":\"Namespaced\","
                    + "\"names\":{\"plural\":\"widgets\",\"kind\":\"Widget\"},\"versions\":[{\"name\":\"v1\","
                    + "\"served\":true,\"storage\":true,\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\"}}}]}}"),
            // spec.request: an EC P-256 PKCS#10 request for CN=sample, made by openssl
            Map.entry("CertificateSigningRequest", "{\"spec\":{\"request\":\"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlITU1ITUNBUUF3RVRFUE1BMEdBMVVFQXd3R2MyRnRjR3hsTUZrd0V3WUhLb1pJemowQ0FRWUlLb1pJemowRApBUWNEUWdBRU9ST2pvOUh6KzgybmJ5NUZBNHdYSUFTMFNWeUpTZGRNZ1lvNC90NGQ4RlhSUFBYZ09RL0dRNkN1CjZGNmJFOW5tQ3plQ1cvc2dtbnpwU0lWVEgrVWVPNkFBTUFvR0NDcUdTTTQ5QkFNQ0Ewa0FNRVlDSVFDSGNJVXUKa1A2Y0VjdHlEZldqaVZaTjRab1lmQzJzQmFNSlB2SEk0ekJQQ2dJaEFMa1hLR0pMcEhsbzFPSVpYdDRUelNucwpHRkR5TjlkVWJUMU9sbkxkclZnWQotLS0tLUVORCBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K\","
                    + "\"signerName\":\"kubernetes.io/kube-apiserver-client\",\"usages\":[\"client auth\"]}}"));

    static Stream<Arguments> resources() {
        return BuiltinResources.all().stream().map(r -> Arguments.of(r.groupResource(), r));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resources")
    void sampleObjectsDefaultValidateAndPrint(String name, ResourceDefinition r) {
        String key = r.group().equals("events.k8s.io") ? "events.k8s.io/Event" : r.kind();
        ObjectNode o = Nodes.parse(SAMPLES.get(key));
        o.put("apiVersion", r.apiVersion());
        o.put("kind", r.kind());
        ObjectNode meta = o.putObject("metadata");
        // a CRD's name is <plural>.<group>
        meta.put("name", r.kind().equals("CustomResourceDefinition") ? "widgets.example.com" : "sample");
        meta.put("creationTimestamp", "2026-01-01T00:00:00Z");
        meta.put("uid", "0b6c3a2e-1111-4c5e-9d7a-000000000001");
        if (r.namespaced()) {
            meta.put("namespace", "default");
        }
        r.strategy().applyDefaults(o);
        ObjectNode once = o.deepCopy();
        r.strategy().applyDefaults(o);
        assertThat(o).as("defaulting is idempotent").isEqualTo(once);
        assertThat(r.strategy().validate(o)).as(o.toString()).isEmpty();
        assertThat(r.strategy().validateUpdate(o.deepCopy(), o)).isEmpty();
        List<Object> cells = r.strategy().cells(o, Instant.parse("2026-01-02T00:00:00Z"));
        assertThat(cells).hasSize(r.strategy().columns().size());
        assertThat(cells).doesNotContainNull();
        assertThat(r.strategy().columns()).anyMatch(c -> c.format().equals("name"));
    }
}

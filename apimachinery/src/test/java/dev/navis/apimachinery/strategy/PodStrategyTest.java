package dev.navis.apimachinery.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.strategy.core.PodStrategy;
import dev.navis.apimachinery.strategy.pod.PodSpecDefaults;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

class PodStrategyTest {

    private final PodStrategy strategy = new PodStrategy();
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private static ObjectNode pod(String spec) {
        return Nodes.parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
                + "\"creationTimestamp\":\"2026-01-01T11:00:00Z\"},\"spec\":" + spec + "}");
    }

    @Test
    void defaultsLikeUpstream() {
        ObjectNode p = pod("{\"containers\":[{\"name\":\"web\",\"image\":\"nginx\",\"ports\":[{\"containerPort\":80}]}]}");
        strategy.applyDefaults(p);
        assertThat(p.get("spec")).isEqualTo(Nodes.parse("""
                {"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],
                  "imagePullPolicy":"Always","terminationMessagePath":"/dev/termination-log",
                  "terminationMessagePolicy":"File","resources":{}}],
                 "enableServiceLinks":true,"dnsPolicy":"ClusterFirst","restartPolicy":"Always","securityContext":{},
                 "terminationGracePeriodSeconds":30,"schedulerName":"default-scheduler"}"""));
        assertThat(p.get("status")).isEqualTo(Nodes.parse("{\"phase\":\"Pending\",\"qosClass\":\"BestEffort\"}"));
        assertThat(strategy.validate(p)).isEmpty();
    }

    @Test
    void aStatusWriteIsCheckedAsValidatePodStatusUpdateDoesWithoutTheSpec() {
        ObjectNode old = pod("{\"containers\":[{\"name\":\"web\",\"image\":\"nginx\"}],\"nodeName\":\"n1\"}");
        strategy.applyDefaults(old);
        ObjectNode running = old.deepCopy();
        running.withObject("status").put("phase", "Running");
        assertThat(strategy.validateStatusUpdate(running, old)).isEmpty();

        ObjectNode nominated = running.deepCopy();
        nominated.withObject("status").put("nominatedNodeName", "Not_A_Node");
        assertThat(strategy.validateStatusUpdate(nominated, old)).singleElement()
                .extracting(FieldError::field).isEqualTo("status.nominatedNodeName");

        ObjectNode moved = running.deepCopy();
        moved.withObject("spec").put("nodeName", "n2");
        assertThat(strategy.validateStatusUpdate(moved, old)).singleElement()
                .extracting(FieldError::field).isEqualTo("status.nodeName");
    }

    @Test
    void defaultsRequestsFromLimitsAndProbes() {
        ObjectNode p = pod("""
                {"containers":[{"name":"web","image":"nginx:1.25","resources":{"limits":{"cpu":"500m","memory":"128Mi"}},
                  "livenessProbe":{"httpGet":{"port":80}}}],
                 "volumes":[{"name":"v"},{"name":"s","secret":{"secretName":"x"}}]}""");
        strategy.applyDefaults(p);
        assertThat(p.at("/spec/containers/0/resources/requests")).isEqualTo(Nodes.parse("{\"cpu\":\"500m\",\"memory\":\"128Mi\"}"));
        assertThat(p.at("/spec/containers/0/livenessProbe")).isEqualTo(Nodes.parse("""
                {"httpGet":{"port":80,"path":"/","scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,
                 "successThreshold":1,"failureThreshold":3}"""));
        assertThat(p.at("/spec/volumes/0")).isEqualTo(Nodes.parse("{\"name\":\"v\",\"emptyDir\":{}}"));
        assertThat(p.at("/spec/volumes/1/secret/defaultMode").asInt()).isEqualTo(420);
        assertThat(p.at("/status/qosClass").asString()).isEqualTo("Guaranteed");
        assertThat(strategy.validate(p)).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"nginx, latest", "nginx:1.25, 1.25", "nginx:latest, latest", "localhost:5000/nginx, latest",
        "localhost:5000/nginx:v2, v2", "nginx@sha256:abc, ''", "nginx:1.2@sha256:abc, 1.2"})
    void imageTags(String image, String tag) {
        assertThat(PodSpecDefaults.imageTag(image)).isEqualTo(tag);
    }

    static Stream<Arguments> invalidPods() {
        return Stream.of(
                Arguments.of("{\"containers\":[]}", List.of("spec.containers: Required value")),
                Arguments.of("{\"containers\":[{\"name\":\"web\"}]}", List.of("spec.containers[0].image: Required value")),
                Arguments.of("{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"a\",\"image\":\"y\"}]}",
                        List.of("spec.containers[1].name: Duplicate value: \"a\"")),
                Arguments.of("{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"ports\":[{\"containerPort\":70000}]}]}",
                        List.of("spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive")),
                Arguments.of("{\"restartPolicy\":\"Sometimes\",\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}",
                        List.of("spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"")),
                Arguments.of("{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"resources\":{\"requests\":{\"cpu\":\"2\"},\"limits\":{\"cpu\":\"1\"}}}]}",
                        List.of("spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1")),
                Arguments.of("{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"resources\":{\"limits\":{\"memory\":\"lots\"}}}]}",
                        List.of("spec.containers[0].resources.limits[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
                                "spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")),
                Arguments.of("{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"ports\":[{\"containerPort\":80,\"protocol\":\"HTTP\"}]}]}",
                        List.of("spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"")),
                Arguments.of("{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"volumeMounts\":[{\"name\":\"v\",\"mountPath\":\"/d\"}]}]}",
                        List.of("spec.containers[0].volumeMounts[0].name: Not found: \"v\"")),
                Arguments.of("{\"containers\":[{\"name\":\"a\",\"image\":\"x\",\"livenessProbe\":{\"periodSeconds\":5}}]}",
                        List.of("spec.containers[0].livenessProbe: Required value: must specify a handler type")),
                Arguments.of("{\"volumes\":[{\"name\":\"s\",\"secret\":{}}],\"containers\":[{\"name\":\"a\",\"image\":\"x\","
                        + "\"env\":[{\"name\":\"K\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"s\"}}}]}]}",
                        List.of("spec.volumes[0].secret.secretName: Required value",
                                "spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value")),
                Arguments.of("{\"initContainers\":[{\"name\":\"i\",\"image\":\"x\",\"restartPolicy\":\"Never\"}],"
                        + "\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}",
                        List.of("spec.initContainers[0].restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"")),
                Arguments.of("{\"containers\":[{\"name\":\"A_B\",\"image\":\"x\"}]}",
                        List.of("spec.containers[0].name: Invalid value: \"A_B\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")));
    }

    @ParameterizedTest
    @MethodSource("invalidPods")
    void validationErrorsReadLikeUpstream(String spec, List<String> expected) {
        ObjectNode p = pod(spec);
        strategy.applyDefaults(p);
        assertThat(strategy.validate(p)).extracting(FieldError::toString).containsExactlyElementsOf(expected);
    }

    @Test
    void updatesMayOnlyChangeImagesAndSimilar() {
        ObjectNode old = pod("{\"containers\":[{\"name\":\"a\",\"image\":\"x:1\"}],\"tolerations\":[{\"key\":\"k\",\"operator\":\"Exists\"}]}");
        strategy.applyDefaults(old);
        ObjectNode newImage = old.deepCopy();
        ((ObjectNode) newImage.at("/spec/containers/0")).put("image", "x:2");
        ((ObjectNode) newImage.at("/spec")).withArray("tolerations").addObject().put("key", "j").put("operator", "Exists");
        assertThat(strategy.validateUpdate(newImage, old)).isEmpty();

        ObjectNode newPort = old.deepCopy();
        ((ObjectNode) newPort.at("/spec/containers/0")).putArray("ports").addObject().put("containerPort", 80)
                .put("protocol", "TCP");
        List<FieldError> errs = strategy.validateUpdate(newPort, old);
        assertThat(errs).hasSize(1);
        assertThat(errs.get(0).toString()).startsWith("spec: Forbidden: pod updates may not change fields other than "
                + "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                + "`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                + "(allow it to be set to 1 if it was previously negative)\n").contains("containers[0].ports");
    }

    static Stream<Arguments> statuses() {
        return Stream.of(
                Arguments.of("{}", "{\"phase\":\"Pending\"}", "0/1", "Pending", "0"),
                Arguments.of("{}", """
                        {"phase":"Pending","containerStatuses":[{"name":"a","ready":false,"restartCount":0,
                         "state":{"waiting":{"reason":"ContainerCreating"}}}]}""", "0/1", "ContainerCreating", "0"),
                Arguments.of("{}", """
                        {"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"name":"a",
                         "ready":true,"restartCount":0,"state":{"running":{"startedAt":"2026-01-01T11:00:00Z"}}}]}""",
                        "1/1", "Running", "0"),
                Arguments.of("{}", """
                        {"phase":"Running","containerStatuses":[{"name":"a","ready":false,"restartCount":5,
                         "state":{"waiting":{"reason":"CrashLoopBackOff"}},
                         "lastState":{"terminated":{"exitCode":1,"finishedAt":"2026-01-01T11:55:00Z"}}}]}""",
                        "0/1", "CrashLoopBackOff", "5 (5m ago)"),
                Arguments.of("{}", """
                        {"phase":"Succeeded","containerStatuses":[{"name":"a","ready":false,"restartCount":0,
                         "state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}""", "0/1", "Completed", "0"),
                Arguments.of("{}", """
                        {"phase":"Failed","containerStatuses":[{"name":"a","ready":false,"restartCount":0,
                         "state":{"terminated":{"exitCode":2}}}]}""", "0/1", "ExitCode:2", "0"),
                Arguments.of("{\"initContainers\":[{\"name\":\"i\",\"image\":\"x\"}]}", """
                        {"phase":"Pending","initContainerStatuses":[{"name":"i","ready":false,"restartCount":0,
                         "state":{"running":{}}}],"containerStatuses":[{"name":"a","ready":false,"restartCount":0,
                         "state":{"waiting":{"reason":"PodInitializing"}}}]}""", "0/1", "Init:0/1", "0"),
                Arguments.of("{\"deleting\":true}", """
                        {"phase":"Running","containerStatuses":[{"name":"a","ready":true,"restartCount":0,
                         "state":{"running":{}}}]}""", "1/1", "Terminating", "0"));
    }

    @ParameterizedTest(name = "{2} {3}")
    @MethodSource("statuses")
    void printsStatusLikeKubectl(String extraSpec, String status, String ready, String reason, String restarts) {
        ObjectNode spec = Nodes.parse(extraSpec);
        boolean deleting = spec.has("deleting");
        spec.remove("deleting");
        spec.putArray("containers").addObject().put("name", "a").put("image", "x");
        ObjectNode p = pod(spec.toString());
        p.set("status", Nodes.parse(status));
        if (deleting) {
            ((ObjectNode) p.get("metadata")).put("deletionTimestamp", "2026-01-01T11:59:00Z");
        }
        List<Object> cells = strategy.cells(p, NOW);
        assertThat(cells).hasSize(strategy.columns().size());
        assertThat(cells.subList(0, 5)).containsExactly("web", ready, reason, restarts, "60m");
        assertThat(cells.subList(5, 9)).containsExactly("<none>", "<none>", "<none>", "<none>");
    }

    @Test
    void columnNamesAreUpstreams() {
        assertThat(strategy.columns()).extracting(c -> c.name() + "/" + c.priority()).containsExactly("Name/0", "Ready/0",
                "Status/0", "Restarts/0", "Age/0", "IP/1", "Node/1", "Nominated Node/1", "Readiness Gates/1");
    }

    @Test
    void selectableFields() {
        ObjectNode p = pod("{\"nodeName\":\"n1\",\"containers\":[]}");
        p.set("status", Nodes.parse("{\"phase\":\"Running\",\"podIPs\":[{\"ip\":\"10.0.0.5\"}]}"));
        var f = strategy.selectableFields();
        assertThat(f.get("spec.nodeName").apply(p)).isEqualTo("n1");
        assertThat(f.get("status.phase").apply(p)).isEqualTo("Running");
        assertThat(f.get("status.podIP").apply(p)).isEqualTo("10.0.0.5");
        assertThat(f.get("spec.hostNetwork").apply(p)).isEqualTo("false");
        assertThat(f).containsKeys("spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "status.nominatedNodeName");
    }
}

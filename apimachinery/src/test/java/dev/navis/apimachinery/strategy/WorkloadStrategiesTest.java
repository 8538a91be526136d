package dev.navis.apimachinery.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import dev.navis.apimachinery.strategy.apps.DaemonSetStrategy;
import dev.navis.apimachinery.strategy.apps.DeploymentStrategy;
import dev.navis.apimachinery.strategy.apps.ReplicaSetStrategy;
import dev.navis.apimachinery.strategy.apps.StatefulSetStrategy;
import dev.navis.apimachinery.strategy.batch.CronJobStrategy;
import dev.navis.apimachinery.strategy.batch.CronSchedule;
import dev.navis.apimachinery.strategy.batch.JobStrategy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

class WorkloadStrategiesTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final String TEMPLATE = """
            {"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}""";

    private static ObjectNode object(String kind, String spec) {
        return Nodes.parse("{\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"web\",\"namespace\":\"default\","
                + "\"creationTimestamp\":\"2026-01-01T11:58:00Z\"},\"spec\":" + spec + "}");
    }

    private static List<String> messages(List<FieldError> errs) {
        return errs.stream().map(FieldError::toString).toList();
    }

    @Test
    void deploymentDefaults() {
        DeploymentStrategy s = new DeploymentStrategy();
        ObjectNode d = object("Deployment", "{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":" + TEMPLATE + "}");
        s.applyDefaults(d);
        assertThat(d.at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(d.at("/spec/strategy")).isEqualTo(Nodes.parse(
                "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":\"25%\",\"maxSurge\":\"25%\"}}"));
        assertThat(d.at("/spec/revisionHistoryLimit").asInt()).isEqualTo(10);
        assertThat(d.at("/spec/progressDeadlineSeconds").asInt()).isEqualTo(600);
        // the pod template shares the pod spec defaults, but not the Pod-only ones
        assertThat(d.at("/spec/template/spec/restartPolicy").asString()).isEqualTo("Always");
        assertThat(d.at("/spec/template/spec/containers/0/imagePullPolicy").asString()).isEqualTo("IfNotPresent");
        assertThat(d.at("/spec/template/spec/enableServiceLinks").isMissingNode()).isTrue();
        assertThat(d.at("/spec/template/metadata/creationTimestamp").isNull()).isTrue();
        assertThat(s.validate(d)).isEmpty();
        ObjectNode recreate = object("Deployment", "{\"strategy\":{\"type\":\"Recreate\"}}");
        s.applyDefaults(recreate);
        assertThat(recreate.at("/spec/strategy")).isEqualTo(Nodes.parse("{\"type\":\"Recreate\"}"));
    }

    @Test
    void deploymentValidation() {
        DeploymentStrategy s = new DeploymentStrategy();
        ObjectNode d = object("Deployment", "{\"replicas\":-1,\"selector\":{\"matchLabels\":{\"app\":\"x\"}},\"template\":"
                + TEMPLATE.replace("\"containers\"", "\"restartPolicy\":\"Never\",\"containers\"") + "}");
        s.applyDefaults(d);
        assertThat(messages(s.validate(d))).containsExactly(
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not "
                        + "match template `labels`",
                "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"");
        ObjectNode noSelector = object("Deployment", "{\"template\":" + TEMPLATE + "}");
        s.applyDefaults(noSelector);
        assertThat(messages(s.validate(noSelector))).containsExactly("spec.selector: Required value");
        ObjectNode empty = object("Deployment", "{\"selector\":{},\"template\":" + TEMPLATE + "}");
        s.applyDefaults(empty);
        assertThat(messages(s.validate(empty))).containsExactly("spec.selector: Invalid value: v1.LabelSelector{"
                + "MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: "
                + "empty selector is invalid for deployment");
    }

    @Test
    void aStatusWriteChecksMetadataAndStatusCountsNotTheSpec() {
        DeploymentStrategy deployments = new DeploymentStrategy();
        // a stored object the spec validation would now refuse: a status write does not look at it again
        ObjectNode old = object("Deployment", "{\"replicas\":-3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                + "\"template\":" + TEMPLATE + "}");
        ObjectNode written = old.deepCopy();
        written.putObject("status").put("replicas", 2).put("availableReplicas", 1);
        assertThat(deployments.validateStatusUpdate(written, old)).isEmpty();
        assertThat(deployments.validateUpdate(written, old)).isNotEmpty();

        written.withObject("status").put("availableReplicas", -1);
        assertThat(messages(deployments.validateStatusUpdate(written, old))).singleElement().asString()
                .contains("status.availableReplicas");
        ObjectNode renamed = written.deepCopy();
        renamed.withObject("status").put("availableReplicas", 1);
        renamed.withObject("metadata").put("uid", "other");
        assertThat(messages(deployments.validateStatusUpdate(renamed, old))).singleElement().asString()
                .contains("metadata.uid");

        ReplicaSetStrategy replicaSets = new ReplicaSetStrategy();
        ObjectNode rs = object("ReplicaSet", "{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                + "\"template\":" + TEMPLATE + "}");
        ObjectNode rsWritten = rs.deepCopy();
        rsWritten.putObject("status").put("readyReplicas", -2);
        assertThat(messages(replicaSets.validateStatusUpdate(rsWritten, rs))).singleElement().asString()
                .contains("status.readyReplicas");
    }

    @Test
    void workloadSelectorsAreImmutable() {
        DeploymentStrategy s = new DeploymentStrategy();
        ObjectNode old = object("Deployment", "{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":" + TEMPLATE + "}");
        s.applyDefaults(old);
        ObjectNode scaled = old.deepCopy();
        ((ObjectNode) scaled.get("spec")).put("replicas", 3);
        assertThat(s.validateUpdate(scaled, old)).isEmpty();
        ObjectNode changed = old.deepCopy();
        changed.set("spec", Nodes.parse(changed.get("spec").toString().replace("\"app\":\"web\"", "\"app\":\"api\"")));
        assertThat(messages(s.validateUpdate(changed, old))).containsExactly(
                "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"api\"}, "
                        + "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
    }

    @Test
    void deploymentTable() {
        DeploymentStrategy s = new DeploymentStrategy();
        ObjectNode d = object("Deployment", "{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":"
                + TEMPLATE + "}");
        d.set("status", Nodes.parse("{\"readyReplicas\":2,\"updatedReplicas\":3,\"availableReplicas\":2}"));
        assertThat(s.columns()).extracting(c -> c.name()).containsExactly("Name", "Ready", "Up-to-date", "Available",
                "Age", "Containers", "Images", "Selector");
        assertThat(s.cells(d, NOW)).containsExactly("web", "2/3", 3L, 2L, "2m", "nginx", "nginx:1.25", "app=web");
    }

    @Test
    void replicaSetStatefulSetDaemonSet() {
        ReplicaSetStrategy rs = new ReplicaSetStrategy();
        ObjectNode r = object("ReplicaSet", "{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":" + TEMPLATE + "}");
        rs.applyDefaults(r);
        r.set("status", Nodes.parse("{\"replicas\":1,\"readyReplicas\":1}"));
        assertThat(rs.validate(r)).isEmpty();
        assertThat(rs.cells(r, NOW)).containsExactly("web", 1L, 1L, 1L, "2m", "nginx", "nginx:1.25", "app=web");
        assertThat(rs.selectableFields().get("status.replicas").apply(r)).isEqualTo("1");

        StatefulSetStrategy sts = new StatefulSetStrategy();
        ObjectNode st = object("StatefulSet", "{\"serviceName\":\"web\",\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                + "\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"]}}],"
                + "\"template\":" + TEMPLATE + "}");
        sts.applyDefaults(st);
        assertThat(st.at("/spec/podManagementPolicy").asString()).isEqualTo("OrderedReady");
        assertThat(st.at("/spec/updateStrategy")).isEqualTo(Nodes.parse(
                "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}"));
        assertThat(st.at("/spec/persistentVolumeClaimRetentionPolicy")).isEqualTo(Nodes.parse(
                "{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Retain\"}"));
        assertThat(st.at("/spec/volumeClaimTemplates/0/spec/volumeMode").asString()).isEqualTo("Filesystem");
        assertThat(st.at("/spec/volumeClaimTemplates/0/status/phase").asString()).isEqualTo("Pending");
        assertThat(sts.validate(st)).isEmpty();
        // containers mount the claims by template name; a mount of anything else is still refused
        ObjectNode mounting = st.deepCopy();
        ((ObjectNode) mounting.at("/spec/template/spec/containers/0")).set("volumeMounts",
                Nodes.parse("{\"m\":[{\"name\":\"data\",\"mountPath\":\"/data\"}]}").get("m"));
        assertThat(sts.validate(mounting)).isEmpty();
        ((ObjectNode) mounting.at("/spec/template/spec/containers/0/volumeMounts/0")).put("name", "other");
        assertThat(messages(sts.validate(mounting))).containsExactly(
                "spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"other\"");
        ObjectNode renamed = st.deepCopy();
        ((ObjectNode) renamed.get("spec")).put("serviceName", "other");
        assertThat(messages(sts.validateUpdate(renamed, st))).containsExactly("spec: Forbidden: updates to statefulset "
                + "spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
                + "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
        ObjectNode scaled = st.deepCopy();
        ((ObjectNode) scaled.get("spec")).put("replicas", 5);
        assertThat(sts.validateUpdate(scaled, st)).isEmpty();

        DaemonSetStrategy ds = new DaemonSetStrategy();
        ObjectNode d = object("DaemonSet", "{\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":" + TEMPLATE + "}");
        ds.applyDefaults(d);
        assertThat(d.at("/spec/updateStrategy")).isEqualTo(Nodes.parse(
                "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":1,\"maxSurge\":0}}"));
        assertThat(ds.validate(d)).isEmpty();
        assertThat(ds.cells(d, NOW)).containsExactly("web", 0L, 0L, 0L, 0L, 0L, "<none>", "2m", "nginx", "nginx:1.25",
                "app=web");
    }

    @Test
    void jobDefaultsGenerateTheSelector() {
        JobStrategy s = new JobStrategy();
        ObjectNode j = object("Job", "{\"template\":{\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"pi\","
                + "\"image\":\"perl\"}]}}}");
        ((ObjectNode) j.get("metadata")).put("uid", "u-1");
        s.applyDefaults(j);
        assertThat(j.at("/spec/completions").asInt()).isEqualTo(1);
        assertThat(j.at("/spec/parallelism").asInt()).isEqualTo(1);
        assertThat(j.at("/spec/backoffLimit").asInt()).isEqualTo(6);
        assertThat(j.at("/spec/completionMode").asString()).isEqualTo("NonIndexed");
        assertThat(j.at("/spec/suspend").asBoolean()).isFalse();
        assertThat(j.at("/spec/podReplacementPolicy").asString()).isEqualTo("TerminatingOrFailed");
        assertThat(j.at("/spec/selector")).isEqualTo(Nodes.parse(
                "{\"matchLabels\":{\"batch.kubernetes.io/controller-uid\":\"u-1\"}}"));
        assertThat(j.at("/spec/template/metadata/labels/job-name").asString()).isEqualTo("web");
        assertThat(s.validate(j)).isEmpty();
    }

    @Test
    void jobSelectorMustBeTheGeneratedOneWithoutManualSelector() {
        JobStrategy s = new JobStrategy();
        ObjectNode j = object("Job", "{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":"
                + "{\"a\":\"b\"}},\"spec\":{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"pi\",\"image\":\"perl\"}]}}}");
        ((ObjectNode) j.get("metadata")).put("uid", "u-1");
        s.applyDefaults(j);
        assertThat(messages(s.validate(j))).containsExactly("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:"
                + "map[string]string{\"a\":\"b\", \"batch.kubernetes.io/controller-uid\":\"u-1\"}, "
                + "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` not auto-generated");
        assertThat(j.at("/spec/template/metadata/labels/batch.kubernetes.io~1job-name").asString()).isEqualTo("web");
    }

    @Test
    void jobValidationAndTable() {
        JobStrategy s = new JobStrategy();
        ObjectNode j = object("Job", "{\"manualSelector\":true,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},"
                + "\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"pi\","
                + "\"image\":\"perl\"}]}}}");
        s.applyDefaults(j);
        assertThat(messages(s.validate(j))).containsExactly("spec.template.spec.restartPolicy: Unsupported value: "
                + "\"Always\": supported values: \"OnFailure\", \"Never\"");
        ObjectNode old = j.deepCopy();
        ((ObjectNode) j.at("/spec/template/spec/containers/0")).put("image", "perl:2");
        assertThat(messages(s.validateUpdate(j, old))).anyMatch(m -> m.startsWith("spec.template: Invalid value: ")
                && m.endsWith(": field is immutable"));
        j.set("status", Nodes.parse("{\"succeeded\":1,\"startTime\":\"2026-01-01T11:59:00Z\","
                + "\"completionTime\":\"2026-01-01T11:59:05Z\",\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\"}]}"));
        assertThat(s.cells(j, NOW).subList(0, 5)).containsExactly("web", "Complete", "1/1", "5s", "2m");
        assertThat(s.selectableFields().get("status.successful").apply(j)).isEqualTo("1");
    }

    @Test
    void cronJob() {
        CronJobStrategy s = new CronJobStrategy();
        ObjectNode c = object("CronJob", "{\"schedule\":\"*/5 * * * *\",\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":"
                + "{\"restartPolicy\":\"OnFailure\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}}");
        s.applyDefaults(c);
        assertThat(c.at("/spec/concurrencyPolicy").asString()).isEqualTo("Allow");
        assertThat(c.at("/spec/successfulJobsHistoryLimit").asInt()).isEqualTo(3);
        assertThat(c.at("/spec/failedJobsHistoryLimit").asInt()).isEqualTo(1);
        assertThat(s.validate(c)).isEmpty();
        assertThat(s.cells(c, NOW)).containsExactly("web", "*/5 * * * *", "<none>", "False", 0L, "<none>", "2m", "c",
                "busybox", "<none>");
        ((ObjectNode) c.get("spec")).put("schedule", "61 * * * *");
        assertThat(messages(s.validate(c))).containsExactly(
                "spec.schedule: Invalid value: \"61 * * * *\": end of range (61) above maximum (59): 61");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "*/5 * * * *        | ''",
        "0 0 * * MON-FRI    | ''",
        "@hourly            | ''",
        "@every 1h30m       | ''",
        "0 0 1 jan ?        | ''",
        "* * * *            | expected exactly 5 fields, found 4: [* * * *]",
        "x * * * *          | failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax",
        "5-1 * * * *        | beginning of range (5) beyond end of range (1): 5-1",
        "*/0 * * * *        | step of range should be a positive number: */0",
        "0 24 * * *         | end of range (24) above maximum (23): 24",
        "0 0 0 * *          | beginning of range (0) below minimum (1): 0",
        "1-2-3 * * * *      | too many hyphens: 1-2-3",
        "@weird             | unrecognized descriptor: @weird",
    })
    void cronSchedules(String schedule, String error) {
        assertThat(CronSchedule.error(schedule)).isEqualTo(error.isEmpty() ? null : error);
    }
}

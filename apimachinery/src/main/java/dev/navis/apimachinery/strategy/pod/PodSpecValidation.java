package dev.navis.apimachinery.strategy.pod;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import dev.navis.api.quantity.Quantity;
import dev.navis.apimachinery.validation.Checks;
import dev.navis.apimachinery.validation.GoValue;
import dev.navis.api.validation.NameValidation;
import dev.navis.apimachinery.validation.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Upstream's ValidatePodSpec and ValidatePodTemplateSpec essentials; one place for Pods and all templates. */
public final class PodSpecValidation {

    static final List<String> RESTART_POLICIES = List.of("Always", "OnFailure", "Never");
    static final List<String> DNS_POLICIES = List.of("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None");
    static final List<String> PULL_POLICIES = List.of("Always", "IfNotPresent", "Never");
    static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");
    static final List<String> MESSAGE_POLICIES = List.of("File", "FallbackToLogsOnError");
    static final Set<String> STANDARD_CONTAINER_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");

    private PodSpecValidation() {
    }

    /** ValidatePodTemplateSpec: the template's labels and annotations, then its pod spec. */
    public static List<FieldError> validateTemplate(JsonNode template, Path path) {
        List<FieldError> errs = new ArrayList<>();
        if (template == null || !template.isObject()) {
            errs.add(FieldError.required(path.toString(), ""));
            return errs;
        }
        errs.addAll(Checks.labels(template.path("metadata").get("labels"), path.child("metadata", "labels")));
        errs.addAll(Checks.annotations(template.path("metadata").get("annotations"), path.child("metadata", "annotations")));
        errs.addAll(validate(template.path("spec"), path.child("spec")));
        if (!Nodes.list(template, "spec", "ephemeralContainers").isEmpty()) {
            errs.add(FieldError.forbidden(path.child("spec", "ephemeralContainers").toString(),
                    "ephemeral containers not allowed in pod template"));
        }
        return errs;
    }

    public static List<FieldError> validate(JsonNode spec, Path path) {
        List<FieldError> errs = new ArrayList<>();
        Set<String> volumes = volumes(spec, path.child("volumes"), errs);
        Set<String> names = new HashSet<>();
        List<JsonNode> containers = Nodes.list(spec, "containers");
        if (containers.isEmpty()) {
            errs.add(FieldError.required(path.child("containers").toString(), ""));
        }
        for (int i = 0; i < containers.size(); i++) {
            Path p = path.child("containers").index(i);
            errs.addAll(container(containers.get(i), p, volumes));
            String name = Nodes.text(containers.get(i), "name");
            if (!names.add(name)) {
                errs.add(FieldError.duplicate(p.child("name").toString(), name));
            }
        }
        List<JsonNode> inits = Nodes.list(spec, "initContainers");
        for (int i = 0; i < inits.size(); i++) {
            Path p = path.child("initContainers").index(i);
            errs.addAll(container(inits.get(i), p, volumes));
            if (Nodes.has(inits.get(i), "restartPolicy")) {
                String rp = Nodes.text(inits.get(i), "restartPolicy");
                if (!rp.equals("Always")) {
                    errs.add(FieldError.notSupported(p.child("restartPolicy").toString(), rp, List.of("Always")));
                }
            }
            String name = Nodes.text(inits.get(i), "name");
            if (!names.add(name)) {
                errs.add(FieldError.duplicate(p.child("name").toString(), name));
            }
        }
        errs.addAll(EphemeralContainerValidation.validate(Nodes.list(spec, "ephemeralContainers"),
                path.child("ephemeralContainers"), names, volumes));
        errs.addAll(Checks.oneOf(Nodes.text(spec, "restartPolicy"), path.child("restartPolicy"), RESTART_POLICIES));
        errs.addAll(Checks.oneOf(Nodes.text(spec, "dnsPolicy"), path.child("dnsPolicy"), DNS_POLICIES));
        errs.addAll(Checks.labels(spec.get("nodeSelector"), path.child("nodeSelector")));
        List<JsonNode> pullSecrets = Nodes.list(spec, "imagePullSecrets");
        for (int i = 0; i < pullSecrets.size(); i++) {
            if (Nodes.text(pullSecrets.get(i), "name").isEmpty()) {
                errs.add(FieldError.required(path.child("imagePullSecrets").index(i).child("name").toString(), ""));
            }
        }
        String sa = Nodes.text(spec, "serviceAccountName");
        if (!sa.isEmpty()) {
            errs.addAll(Checks.dns1123Subdomain(sa, path.child("serviceAccountName")));
        }
        String node = Nodes.text(spec, "nodeName");
        if (!node.isEmpty()) {
            errs.addAll(Checks.dns1123Subdomain(node, path.child("nodeName")));
        }
        JsonNode ads = spec.get("activeDeadlineSeconds");
        if (ads != null && ads.isNumber() && (ads.asLong() < 1 || ads.asLong() > Integer.MAX_VALUE)) {
            errs.add(FieldError.invalid(path.child("activeDeadlineSeconds").toString(), ads.asLong(),
                    "must be between 1 and 2147483647, inclusive"));
        }
        for (String f : List.of("hostname", "subdomain")) {
            String v = Nodes.text(spec, f);
            if (!v.isEmpty()) {
                errs.addAll(Checks.dns1123Label(v, path.child(f)));
            }
        }
        errs.addAll(tolerations(Nodes.list(spec, "tolerations"), path.child("tolerations")));
        return errs;
    }

    private static Set<String> volumes(JsonNode spec, Path path, List<FieldError> errs) {
        Set<String> names = new HashSet<>();
        List<JsonNode> vols = Nodes.list(spec, "volumes");
        for (int i = 0; i < vols.size(); i++) {
            Path p = path.index(i);
            String name = Nodes.text(vols.get(i), "name");
            if (name.isEmpty()) {
                errs.add(FieldError.required(p.child("name").toString(), ""));
            } else {
                errs.addAll(Checks.dns1123Label(name, p.child("name")));
                if (!names.add(name)) {
                    errs.add(FieldError.duplicate(p.child("name").toString(), name));
                }
            }
            long sources = vols.get(i).size() - (vols.get(i).has("name") ? 1 : 0);
            if (sources == 0) {
                errs.add(FieldError.required(p.toString(), "must specify a volume type"));
            } else if (sources > 1) {
                errs.add(FieldError.forbidden(p.toString(), "may not specify more than 1 volume type"));
            }
            errs.addAll(volumeSource(vols.get(i), p));
        }
        return names;
    }

    /** The required field of the common volume sources (secretName, configMap name, claimName, path). */
    private static List<FieldError> volumeSource(JsonNode v, Path p) {
        List<FieldError> errs = new ArrayList<>();
        if (v.has("secret") && Nodes.text(v, "secret", "secretName").isEmpty()) {
            errs.add(FieldError.required(p.child("secret", "secretName").toString(), ""));
        }
        if (v.has("configMap") && Nodes.text(v, "configMap", "name").isEmpty()) {
            errs.add(FieldError.required(p.child("configMap", "name").toString(), ""));
        }
        if (v.has("persistentVolumeClaim") && Nodes.text(v, "persistentVolumeClaim", "claimName").isEmpty()) {
            errs.add(FieldError.required(p.child("persistentVolumeClaim", "claimName").toString(), ""));
        }
        if (v.has("hostPath") && Nodes.text(v, "hostPath", "path").isEmpty()) {
            errs.add(FieldError.required(p.child("hostPath", "path").toString(), ""));
        }
        if (v.has("emptyDir")) {
            String medium = Nodes.text(v, "emptyDir", "medium");
            if (!medium.isEmpty() && !medium.equals("Memory") && !medium.startsWith("HugePages")) {
                errs.add(FieldError.notSupported(p.child("emptyDir", "medium").toString(), medium,
                        List.of("", "Memory", "HugePages")));
            }
        }
        return errs;
    }

    /** validateProbe: exactly one handler and sane thresholds; liveness and startup need successThreshold 1. */
    private static List<FieldError> probe(JsonNode probe, Path p, boolean successMustBeOne) {
        List<FieldError> errs = new ArrayList<>();
        if (probe == null || !probe.isObject()) {
            return errs;
        }
        long handlers = List.of("exec", "httpGet", "tcpSocket", "grpc").stream().filter(h -> Nodes.has(probe, h)).count();
        if (handlers == 0) {
            errs.add(FieldError.required(p.toString(), "must specify a handler type"));
        } else if (handlers > 1) {
            errs.add(FieldError.forbidden(p.toString(), "may not specify more than 1 handler type"));
        }
        for (String f : List.of("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                "failureThreshold", "terminationGracePeriodSeconds")) {
            errs.addAll(Checks.nonNegative(probe.get(f), p.child(f)));
        }
        if (successMustBeOne && Nodes.has(probe, "successThreshold") && Nodes.longValue(probe, 1, "successThreshold") != 1) {
            errs.add(FieldError.invalid(p.child("successThreshold").toString(), Nodes.longValue(probe, 1, "successThreshold"),
                    "must be 1"));
        }
        JsonNode port = Nodes.at(probe, "httpGet", "port");
        if (Nodes.has(probe, "httpGet")) {
            errs.addAll(portNumOrName(port, p.child("httpGet", "port")));
        }
        if (Nodes.has(probe, "tcpSocket")) {
            errs.addAll(portNumOrName(Nodes.at(probe, "tcpSocket", "port"), p.child("tcpSocket", "port")));
        }
        return errs;
    }

    /** ValidatePortNumOrName: a valid number or IANA service name. */
    public static List<FieldError> portNumOrName(JsonNode port, Path p) {
        List<FieldError> errs = new ArrayList<>();
        if (port != null && port.isNumber()) {
            NameValidation.portNum(port.asLong()).forEach(m -> errs.add(FieldError.invalid(p.toString(), port.asLong(), m)));
        } else if (port != null && port.isString()) {
            NameValidation.portName(port.stringValue()).forEach(m -> errs.add(FieldError.invalid(p.toString(),
                    port.stringValue(), m)));
        } else {
            errs.add(FieldError.required(p.toString(), ""));
        }
        return errs;
    }

    static List<FieldError> container(JsonNode c, Path p, Set<String> volumes) {
        List<FieldError> errs = new ArrayList<>();
        String name = Nodes.text(c, "name");
        if (name.isEmpty()) {
            errs.add(FieldError.required(p.child("name").toString(), ""));
        } else {
            errs.addAll(Checks.dns1123Label(name, p.child("name")));
        }
        if (Nodes.text(c, "image").isEmpty()) {
            errs.add(FieldError.required(p.child("image").toString(), ""));
        }
        String tmp = Nodes.text(c, "terminationMessagePolicy");
        if (tmp.isEmpty()) {
            errs.add(FieldError.required(p.child("terminationMessagePolicy").toString(),
                    "must be 'File' or 'FallbackToLogsOnError'"));
        } else if (!MESSAGE_POLICIES.contains(tmp)) {
            errs.add(FieldError.notSupported(p.child("terminationMessagePolicy").toString(), tmp, MESSAGE_POLICIES));
        }
        errs.addAll(ports(Nodes.list(c, "ports"), p.child("ports")));
        errs.addAll(env(Nodes.list(c, "env"), p.child("env")));
        errs.addAll(volumeMounts(Nodes.list(c, "volumeMounts"), p.child("volumeMounts"), volumes));
        errs.addAll(Checks.oneOf(Nodes.text(c, "imagePullPolicy"), p.child("imagePullPolicy"), PULL_POLICIES));
        errs.addAll(resources(c.path("resources"), p.child("resources")));
        errs.addAll(probe(c.get("livenessProbe"), p.child("livenessProbe"), true));
        errs.addAll(probe(c.get("readinessProbe"), p.child("readinessProbe"), false));
        errs.addAll(probe(c.get("startupProbe"), p.child("startupProbe"), true));
        return errs;
    }

    private static List<FieldError> ports(List<JsonNode> ports, Path path) {
        List<FieldError> errs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode port = ports.get(i);
            Path p = path.index(i);
            String name = Nodes.text(port, "name");
            if (!name.isEmpty()) {
                List<String> msgs = NameValidation.portName(name);
                if (!msgs.isEmpty()) {
                    msgs.forEach(m -> errs.add(FieldError.invalid(p.child("name").toString(), name, m)));
                } else if (!names.add(name)) {
                    errs.add(FieldError.duplicate(p.child("name").toString(), name));
                }
            }
            long cp = Nodes.longValue(port, 0, "containerPort");
            if (cp == 0) {
                errs.add(FieldError.required(p.child("containerPort").toString(), ""));
            } else {
                NameValidation.portNum(cp).forEach(m -> errs.add(FieldError.invalid(p.child("containerPort").toString(), cp, m)));
            }
            long hp = Nodes.longValue(port, 0, "hostPort");
            if (hp != 0) {
                NameValidation.portNum(hp).forEach(m -> errs.add(FieldError.invalid(p.child("hostPort").toString(), hp, m)));
            }
            errs.addAll(protocol(port, p));
        }
        return errs;
    }

    /** A port's protocol: required, one of SCTP, TCP, UDP (shared with Services and Endpoints). */
    public static List<FieldError> protocol(JsonNode port, Path p) {
        return Checks.oneOf(Nodes.text(port, "protocol"), p.child("protocol"), PROTOCOLS);
    }

    private static List<FieldError> env(List<JsonNode> vars, Path path) {
        List<FieldError> errs = new ArrayList<>();
        for (int i = 0; i < vars.size(); i++) {
            JsonNode ev = vars.get(i);
            Path p = path.index(i);
            String name = Nodes.text(ev, "name");
            if (name.isEmpty()) {
                errs.add(FieldError.required(p.child("name").toString(), ""));
            } else {
                NameValidation.envVarName(name).forEach(m -> errs.add(FieldError.invalid(p.child("name").toString(), name, m)));
            }
            JsonNode from = ev.get("valueFrom");
            if (from != null && from.isObject()) {
                if (!Nodes.text(ev, "value").isEmpty()) {
                    errs.add(FieldError.invalid(p.child("valueFrom").toString(), "",
                            "may not be specified when `value` is not empty"));
                }
                if (from.size() == 0) {
                    errs.add(FieldError.invalid(p.child("valueFrom").toString(), "",
                            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
                } else if (from.size() > 1) {
                    errs.add(FieldError.invalid(p.child("valueFrom").toString(), "",
                            "may not have more than one field specified at a time"));
                }
                for (String ref : List.of("configMapKeyRef", "secretKeyRef")) {
                    if (from.has(ref)) {
                        Path rp = p.child("valueFrom", ref);
                        if (Nodes.text(from, ref, "key").isEmpty()) {
                            errs.add(FieldError.required(rp.child("key").toString(), ""));
                        }
                        if (Nodes.text(from, ref, "name").isEmpty()) {
                            errs.add(FieldError.required(rp.child("name").toString(), ""));
                        }
                    }
                }
                if (from.has("fieldRef") && Nodes.text(from, "fieldRef", "fieldPath").isEmpty()) {
                    errs.add(FieldError.required(p.child("valueFrom", "fieldRef", "fieldPath").toString(), ""));
                }
            }
        }
        return errs;
    }

    private static List<FieldError> volumeMounts(List<JsonNode> mounts, Path path, Set<String> volumes) {
        List<FieldError> errs = new ArrayList<>();
        Set<String> paths = new HashSet<>();
        for (int i = 0; i < mounts.size(); i++) {
            JsonNode m = mounts.get(i);
            Path p = path.index(i);
            String name = Nodes.text(m, "name");
            if (name.isEmpty()) {
                errs.add(FieldError.required(p.child("name").toString(), ""));
            }
            if (!volumes.contains(name)) {
                errs.add(new FieldError(FieldError.Type.NOT_FOUND, p.child("name").toString(), name, ""));
            }
            String mountPath = Nodes.text(m, "mountPath");
            if (mountPath.isEmpty()) {
                errs.add(FieldError.required(p.child("mountPath").toString(), ""));
            }
            if (!mountPath.isEmpty() && !paths.add(mountPath)) {
                errs.add(FieldError.invalid(p.child("mountPath").toString(), mountPath, "must be unique"));
            }
        }
        return errs;
    }

    /** ValidateResourceRequirements: names, non-negative quantities, requests no larger than limits. */
    public static List<FieldError> resources(JsonNode resources, Path path) {
        List<FieldError> errs = new ArrayList<>();
        Path limPath = path.child("limits");
        Path reqPath = path.child("requests");
        Map<String, Quantity> limits = quantities(resources.get("limits"), limPath, errs);
        Map<String, Quantity> requests = quantities(resources.get("requests"), reqPath, errs);
        for (Map.Entry<String, Quantity> e : requests.entrySet()) {
            String name = e.getKey();
            Quantity limit = limits.get(name);
            boolean overcommit = STANDARD_CONTAINER_RESOURCES.contains(name);
            if (limit != null) {
                if (e.getValue().compareTo(limit) != 0 && !overcommit) {
                    errs.add(FieldError.invalid(reqPath.toString(), e.getValue().toString(),
                            "must be equal to " + name + " limit of " + limit));
                } else if (e.getValue().compareTo(limit) > 0) {
                    errs.add(FieldError.invalid(reqPath.toString(), e.getValue().toString(),
                            "must be less than or equal to " + name + " limit of " + limit));
                }
            } else if (!overcommit) {
                errs.add(FieldError.required(limPath.toString(), "Limit must be set for non overcommitable resources"));
            }
        }
        return errs;
    }

    private static Map<String, Quantity> quantities(JsonNode list, Path path, List<FieldError> errs) {
        Map<String, Quantity> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, String> e : Nodes.stringMap(list).entrySet()) {
            Path p = path.key(e.getKey());
            String name = e.getKey();
            if (!STANDARD_CONTAINER_RESOURCES.contains(name) && !name.startsWith("hugepages-")) {
                List<String> msgs = NameValidation.qualifiedName(name);
                if (!msgs.isEmpty()) {
                    msgs.forEach(m -> errs.add(FieldError.invalid(p.toString(), name, m)));
                } else if (!name.contains("/")) {
                    errs.add(FieldError.invalid(p.toString(), name, "must be a standard resource for containers"));
                }
            }
            Quantity q = Quantity.tryParse(e.getValue());
            if (q == null) {
                errs.add(FieldError.invalid(p.toString(), e.getValue(), Quantity.FORMAT_ERROR));
                continue;
            }
            if (q.signum() < 0) {
                errs.add(FieldError.invalid(p.toString(), q.toString(), NameValidation.NEGATIVE));
            }
            out.put(name, q);
        }
        return out;
    }

    private static List<FieldError> tolerations(List<JsonNode> tolerations, Path path) {
        List<FieldError> errs = new ArrayList<>();
        for (int i = 0; i < tolerations.size(); i++) {
            JsonNode t = tolerations.get(i);
            Path p = path.index(i);
            String key = Nodes.text(t, "key");
            if (!key.isEmpty()) {
                errs.addAll(Checks.qualifiedName(key, p.child("key")));
            }
            String op = Nodes.text(t, "operator");
            if (key.isEmpty() && !op.equals("Exists")) {
                errs.add(FieldError.invalid(p.child("operator").toString(), op,
                        "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
            }
            if (Nodes.has(t, "tolerationSeconds") && !Nodes.text(t, "effect").equals("NoExecute")) {
                errs.add(FieldError.invalid(p.child("effect").toString(), Nodes.text(t, "effect"),
                        "effect must be 'NoExecute' when `tolerationSeconds` is set"));
            }
            switch (op) {
                case "", "Equal" -> {
                    String v = Nodes.text(t, "value");
                    NameValidation.labelValue(v).forEach(m -> errs.add(FieldError.invalid(p.child("operator").toString(), v, m)));
                }
                case "Exists" -> {
                    if (!Nodes.text(t, "value").isEmpty()) {
                        errs.add(FieldError.invalid(p.child("operator").toString(), GoValue.of(t),
                                "value must be empty when `operator` is 'Exists'"));
                    }
                }
                default -> errs.add(FieldError.notSupported(p.child("operator").toString(), op, List.of("Equal", "Exists")));
            }
            String effect = Nodes.text(t, "effect");
            if (!effect.isEmpty() && !List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
                errs.add(FieldError.notSupported(p.child("effect").toString(), effect,
                        List.of("NoExecute", "NoSchedule", "PreferNoSchedule")));
            }
        }
        return errs;
    }
}

package dev.navis.apiserver.rest.proto;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.navis.apiserver.rest.ApiException;
import dev.navis.apiserver.rest.Json;
import io.kubernetes.client.proto.Runtime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Decodes request bodies in Kubernetes' protobuf encoding ("k8s\0" + runtime.Unknown) into the JSON the
 * rest of the API server works with. kubectl's typed clients (create namespace, create configmap, run, ...)
 * send protobuf and do not fall back to JSON, so the server must read it; answers are always JSON.
 * The message schemas come from the Kubernetes Java client's generated protobuf classes.
 */
public final class ProtobufBodies {
    public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};
    private static final List<String> OUTER_CLASSES = List.of("Meta", "Runtime", "IntStr", "Resource", "V1",
            "V1Admissionregistration", "V1Apiextensions", "V1Apps", "V1Authentication", "V1Authorization",
            "V1Autoscaling", "V1Batch", "V1Certificates", "V1Coordination", "V1Discovery", "V1Events",
            "V1Flowcontrol", "V1Networking", "V1Node", "V1Policy", "V1Rbac", "V1Resource", "V1Scheduling",
            "V1Storage", "V2Autoscaling", "V1beta1Admissionregistration", "V1beta1Apiextensions",
            "V1beta1Authentication", "V1beta1Batch", "V1beta1Certificates", "V1beta1Policy", "V1beta1Rbac",
            "V1beta1Storage");
    private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** Message descriptors by "&lt;group-prefix&gt;.&lt;version&gt;.&lt;Kind&gt;", e.g. "apps.v1.Deployment", "core.v1.Pod". */
    private static final Map<String, Descriptor> MESSAGES = index();
    /** runtime.Unknown, the envelope of every protobuf body. */
    private static final Descriptor UNKNOWN = Runtime.getDescriptor().findMessageTypeByName("Unknown");

    private ProtobufBodies() {
    }

    private static Map<String, Descriptor> index() {
        Map<String, Descriptor> out = new HashMap<>();
        for (String name : OUTER_CLASSES) {
            try {
                Class<?> c = Class.forName("io.kubernetes.client.proto." + name);
                FileDescriptor fd = (FileDescriptor) c.getMethod("getDescriptor").invoke(null);
                String[] pkg = fd.getPackage().split("\\.");
                String prefix = pkg[pkg.length - 2] + "." + pkg[pkg.length - 1];
                for (Descriptor d : fd.getMessageTypes()) {
                    out.putIfAbsent(prefix + "." + d.getName(), d);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a file missing from this client version: its kinds are simply not decodable
            }
        }
        return out;
    }

    /** Decodes a protobuf body into the object's JSON (with apiVersion and kind). */
    public static ObjectNode decode(byte[] body) {
        if (body.length < MAGIC.length || body[0] != MAGIC[0] || body[1] != MAGIC[1] || body[2] != MAGIC[2]
                || body[3] != MAGIC[3]) {
            throw ApiException.badRequest("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        }
        // parsed with descriptors only (DynamicMessage): the generated classes of the client are old gencode
        DynamicMessage unknown;
        try {
            unknown = DynamicMessage.parseFrom(UNKNOWN, ByteString.copyFrom(body, 4, body.length - 4));
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.badRequest("error decoding protobuf: " + e.getMessage());
        }
        Message typeMeta = (Message) field(unknown, "typeMeta", null);
        String apiVersion = typeMeta == null ? "" : (String) field(typeMeta, "apiVersion", "");
        String kind = typeMeta == null ? "" : (String) field(typeMeta, "kind", "");
        ByteString raw = (ByteString) field(unknown, "raw", ByteString.EMPTY);
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "core" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        int dot = group.indexOf('.');
        String prefix = dot < 0 ? group : group.substring(0, dot);
        Descriptor d = MESSAGES.get(prefix + "." + version + "." + kind);
        if (d == null) {
            throw new ApiException(415, "UnsupportedMediaType", "no protobuf schema known for " + apiVersion + ", Kind="
                    + kind + "; send application/json", null);
        }
        DynamicMessage m;
        try {
            m = DynamicMessage.parseFrom(d, raw);
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.badRequest("error decoding protobuf " + kind + ": " + e.getMessage());
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("apiVersion", apiVersion);
        out.put("kind", kind);
        out.setAll(toJson(m));
        return out;
    }

    /**
     * Go fields that are plain (non-pointer) scalars with omitempty: Go's protobuf encoding always writes them,
     * so kubectl's typed clients send {@code stdin: false} or {@code generation: 0}, which upstream's decoding
     * into Go structs turns back into "absent". Keeping them would make stored objects differ from upstream's
     * (and e.g. a Deployment's template differ from its ReplicaSet's after {@code kubectl rollout undo}).
     */
    private static final java.util.Set<String> OMIT_ZERO = java.util.Set.of(
            "ObjectMeta.generation", "Container.stdin", "Container.stdinOnce", "Container.tty",
            "EphemeralContainerCommon.stdin", "EphemeralContainerCommon.stdinOnce", "EphemeralContainerCommon.tty",
            "PodSpec.hostNetwork", "PodSpec.hostPID", "PodSpec.hostIPC", "VolumeMount.readOnly",
            "ContainerPort.hostPort", "PersistentVolumeClaimVolumeSource.readOnly", "DeploymentSpec.paused",
            "DeploymentSpec.minReadySeconds", "ReplicaSetSpec.minReadySeconds", "DaemonSetSpec.minReadySeconds",
            "StatefulSetSpec.minReadySeconds", "ServiceSpec.publishNotReadyAddresses",
            "ServiceSpec.healthCheckNodePort", "ServicePort.nodePort", "NodeSpec.unschedulable",
            "Probe.initialDelaySeconds", "Probe.timeoutSeconds", "Probe.periodSeconds", "Probe.successThreshold",
            "Probe.failureThreshold", "Event.count");

    /**
     * Embedded Go structs whose JSON tag is {@code ",inline"}: protobuf nests them in a field of their own, JSON
     * puts their fields in the enclosing object ({@code volumes[0].configMap}, not
     * {@code volumes[0].volumeSource.configMap}). Every {@code localObjectReference} field is such an embedding too
     * ({@code configMap.name}, {@code envFrom[0].configMapRef.name}).
     */
    private static final java.util.Set<String> INLINE = java.util.Set.of(
            "Volume.volumeSource", "PersistentVolumeSpec.persistentVolumeSource", "Probe.handler",
            "EphemeralContainer.ephemeralContainerCommon", "IngressRule.ingressRuleValue",
            "NamedRuleWithOperations.ruleWithOperations", "RuleWithOperations.rule");

    private static boolean omittedZero(Message m, FieldDescriptor f, Object v) {
        boolean zero = v instanceof Boolean b ? !b : v instanceof Number n && n.longValue() == 0;
        return zero && OMIT_ZERO.contains(m.getDescriptorForType().getName() + "." + f.getName());
    }

    static ObjectNode toJson(Message m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        boolean schemaProps = m.getDescriptorForType().getName().equals("JSONSchemaProps");
        for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
            String name = schemaProps ? schemaPropsName(f.getName()) : f.getName();
            if (f.isMapField()) {
                int n = m.getRepeatedFieldCount(f);
                if (n == 0) {
                    continue;
                }
                ObjectNode map = o.putObject(name);
                for (int i = 0; i < n; i++) {
                    Message entry = (Message) m.getRepeatedField(f, i);
                    FieldDescriptor kf = entry.getDescriptorForType().findFieldByName("key");
                    FieldDescriptor vf = entry.getDescriptorForType().findFieldByName("value");
                    JsonNode v = value(vf, entry.getField(vf), true);
                    map.set(String.valueOf(entry.getField(kf)), v == null ? JsonNodeFactory.instance.stringNode("") : v);
                }
            } else if (f.isRepeated()) {
                int n = m.getRepeatedFieldCount(f);
                if (n == 0) {
                    continue;
                }
                ArrayNode arr = o.putArray(name);
                for (int i = 0; i < n; i++) {
                    JsonNode v = value(f, m.getRepeatedField(f, i), true);
                    arr.add(v == null ? JsonNodeFactory.instance.nullNode() : v);
                }
            } else if (m.hasField(f) && (f.getName().equals("localObjectReference")
                    || INLINE.contains(m.getDescriptorForType().getName() + "." + f.getName()))) {
                o.setAll(toJson((Message) m.getField(f)));
            } else if (m.hasField(f) && !omittedZero(m, f, m.getField(f))) {
                JsonNode v = value(f, m.getField(f), false);
                if (v != null) {
                    o.set(name, v);
                }
            }
        }
        return o;
    }

    /** One value; null for Go zero values that JSON's omitempty would leave out (unless {@code keepEmpty}). */
    private static JsonNode value(FieldDescriptor f, Object v, boolean keepEmpty) {
        JsonNodeFactory nf = JsonNodeFactory.instance;
        switch (f.getJavaType()) {
            case MESSAGE -> {
                Message msg = (Message) v;
                String type = msg.getDescriptorForType().getFullName();
                if (type.endsWith("meta.v1.Time")) {
                    long seconds = (Long) field(msg, "seconds", 0L);
                    return seconds == 0 ? null : nf.stringNode(Json.timestamp(Instant.ofEpochSecond(seconds)));
                }
                if (type.endsWith("meta.v1.MicroTime")) {
                    long seconds = (Long) field(msg, "seconds", 0L);
                    int nanos = (Integer) field(msg, "nanos", 0);
                    return seconds == 0 && nanos == 0 ? null
                            : nf.stringNode(MICRO.format(Instant.ofEpochSecond(seconds, nanos)));
                }
                if (type.endsWith("meta.v1.Duration")) {
                    return nf.stringNode(goDuration((Long) field(msg, "duration", 0L)));
                }
                if (type.endsWith("intstr.IntOrString")) {
                    long t = (Long) field(msg, "type", 0L);
                    return t == 1 ? nf.stringNode((String) field(msg, "strVal", ""))
                            : nf.numberNode((Integer) field(msg, "intVal", 0));
                }
                if (type.endsWith("resource.Quantity")) {
                    return nf.stringNode((String) field(msg, "string", ""));
                }
                if (type.endsWith("runtime.RawExtension") || type.endsWith("meta.v1.FieldsV1")
                        || type.endsWith("apiextensions.v1.JSON")) {
                    ByteString raw = (ByteString) field(msg, msg.getDescriptorForType().getFields().get(0).getName(),
                            ByteString.EMPTY);
                    return raw.isEmpty() ? null : Json.MAPPER.readTree(raw.toByteArray());
                }
                return toJson(msg);
            }
            case STRING -> {
                String s = (String) v;
                return s.isEmpty() && !keepEmpty ? null : nf.stringNode(s);
            }
            case BYTE_STRING -> {
                return nf.stringNode(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
            }
            case ENUM -> {
                return nf.stringNode(v.toString());
            }
            case BOOLEAN -> {
                return nf.booleanNode((Boolean) v);
            }
            case INT -> {
                return nf.numberNode((Integer) v);
            }
            case LONG -> {
                return nf.numberNode((Long) v);
            }
            case FLOAT -> {
                return nf.numberNode((Float) v);
            }
            case DOUBLE -> {
                return nf.numberNode((Double) v);
            }
            default -> {
                return nf.stringNode(String.valueOf(v));
            }
        }
    }

    private static Object field(Message m, String name, Object dflt) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName(name);
        if (f == null) {
            return dflt;
        }
        Object v = m.getField(f);
        if (v instanceof Integer i && dflt instanceof Long) {
            return i.longValue();
        }
        return v;
    }

    private static String schemaPropsName(String protoName) {
        if (protoName.equals("ref")) {
            return "$ref";
        }
        if (protoName.equals("schema")) {
            return "$schema";
        }
        if (protoName.startsWith("xKubernetes")) {
            StringBuilder sb = new StringBuilder("x");
            for (char c : protoName.substring(1).toCharArray()) {
                if (Character.isUpperCase(c)) {
                    sb.append('-').append(Character.toLowerCase(c));
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }
        return protoName;
    }

    /** Go's time.Duration.String() for whole seconds and above (what metav1.Duration values are in practice). */
    static String goDuration(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        long s = nanos / 1_000_000_000L;
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        StringBuilder sb = new StringBuilder();
        if (h > 0) {
            sb.append(h).append('h');
        }
        if (h > 0 || m > 0) {
            sb.append(m).append('m');
        }
        sb.append(sec).append('s');
        return sb.toString();
    }
}

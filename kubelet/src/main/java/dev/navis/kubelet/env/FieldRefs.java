package dev.navis.kubelet.env;

import dev.navis.kubelet.util.Quantities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The downward API's values: fieldRef paths and resourceFieldRef resources, formatted as upstream does. */
public final class FieldRefs {
    private static final Pattern SUBSCRIPT = Pattern.compile("^metadata\\.(labels|annotations)\\['(.+)'\\]$");

    private FieldRefs() {
    }

    /**
     * The value of {@code fieldPath} for {@code pod}; {@code status} supplies the IPs the kubelet knows.
     *
     * @throws IllegalArgumentException for a path the downward API does not support
     */
    public static String field(Pod pod, String fieldPath, PodStatus status) {
        Matcher m = SUBSCRIPT.matcher(fieldPath);
        if (m.matches()) {
            Map<String, String> map = m.group(1).equals("labels") ? pod.getMetadata().getLabels()
                    : pod.getMetadata().getAnnotations();
            return map == null ? "" : Objects.requireNonNullElse(map.get(m.group(2)), "");
        }
        PodStatus st = status == null ? new PodStatus() : status;
        return switch (fieldPath) {
            case "metadata.name" -> pod.getMetadata().getName();
            case "metadata.namespace" -> pod.getMetadata().getNamespace();
            case "metadata.uid" -> pod.getMetadata().getUid();
            case "metadata.labels" -> formatMap(pod.getMetadata().getLabels());
            case "metadata.annotations" -> formatMap(pod.getMetadata().getAnnotations());
            case "spec.nodeName" -> Objects.requireNonNullElse(pod.getSpec().getNodeName(), "");
            case "spec.serviceAccountName" -> Objects.requireNonNullElse(pod.getSpec().getServiceAccountName(), "");
            case "status.hostIP" -> Objects.requireNonNullElse(st.getHostIP(), "");
            case "status.hostIPs" -> st.getHostIPs() == null ? "" : String.join(",",
                    st.getHostIPs().stream().map(ip -> ip.getIp()).toList());
            case "status.podIP" -> Objects.requireNonNullElse(st.getPodIP(), "");
            case "status.podIPs" -> st.getPodIPs() == null ? "" : String.join(",",
                    st.getPodIPs().stream().map(ip -> ip.getIp()).toList());
            default -> throw new IllegalArgumentException("unsupported fieldPath: " + fieldPath);
        };
    }

    /** Upstream's fieldpath.FormatMap: sorted {@code key="value"} lines, values quoted as Go's %q. */
    public static String formatMap(Map<String, String> map) {
        if (map == null || map.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
            sb.append(e.getKey()).append('=').append(goQuote(e.getValue())).append('\n');
        }
        return sb.toString().strip();
    }

    private static String goQuote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /**
     * A container's resource as resourceFieldRef reports it: limits fall back to the node's allocatable when
     * unset; the value is divided by the divisor and rounded up (cpu in millicores first, as upstream).
     */
    public static String resource(Pod pod, String defaultContainer, ResourceFieldSelector ref,
                                  Map<String, Quantity> nodeAllocatable) {
        String name = ref.getContainerName() == null || ref.getContainerName().isEmpty() ? defaultContainer
                : ref.getContainerName();
        Container container = findContainer(pod, name);
        if (container == null) {
            throw new IllegalArgumentException("container " + name + " not found");
        }
        String resource = ref.getResource();
        int dot = resource.indexOf('.');
        if (dot < 0) {
            throw new IllegalArgumentException("unsupported container resource: " + resource);
        }
        String kind = resource.substring(0, dot);
        String res = resource.substring(dot + 1);
        Map<String, Quantity> values = container.getResources() == null ? null
                : kind.equals("limits") ? container.getResources().getLimits()
                : kind.equals("requests") ? container.getResources().getRequests() : null;
        if (!kind.equals("limits") && !kind.equals("requests")) {
            throw new IllegalArgumentException("unsupported container resource: " + resource);
        }
        Quantity q = values == null ? null : values.get(res);
        if (q == null && kind.equals("limits") && nodeAllocatable != null) {
            q = nodeAllocatable.get(res);
        }
        BigDecimal value = Quantities.value(q);
        BigDecimal divisor = ref.getDivisor() == null ? BigDecimal.ONE : Quantities.value(ref.getDivisor());
        if (divisor.signum() == 0) {
            divisor = BigDecimal.ONE;
        }
        if (res.equals("cpu")) {
            BigDecimal milli = value.multiply(BigDecimal.valueOf(1000)).setScale(0, java.math.RoundingMode.CEILING);
            return Quantities.ceilDiv(milli, divisor.multiply(BigDecimal.valueOf(1000))).toString();
        }
        return Quantities.ceilDiv(value, divisor).toString();
    }

    static Container findContainer(Pod pod, String name) {
        for (List<Container> list : java.util.Arrays.asList(pod.getSpec().getContainers(), pod.getSpec().getInitContainers())) {
            if (list != null) {
                for (Container c : list) {
                    if (c.getName().equals(name)) {
                        return c;
                    }
                }
            }
        }
        return null;
    }
}

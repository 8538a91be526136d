package dev.navis.kubelet.env;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Upstream's makeEnvironmentVariables: envFrom sources first (prefix, skipping invalid names), then env in
 * order (value with {@code $(VAR)} expansion against what came before, or valueFrom configMapKeyRef,
 * secretKeyRef, fieldRef, resourceFieldRef). A missing non-optional ConfigMap, Secret or key fails the
 * container with upstream's message (reported as CreateContainerConfigError).
 */
public final class EnvResolver {
    private static final java.util.regex.Pattern ENV_NAME = java.util.regex.Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    private final ObjectSource objects;
    private final Supplier<Map<String, Quantity>> nodeAllocatable;

    public EnvResolver(ObjectSource objects, Supplier<Map<String, Quantity>> nodeAllocatable) {
        this.objects = objects;
        this.nodeAllocatable = nodeAllocatable;
    }

    /** A container's environment could not be made; the message is upstream's. */
    public static final class EnvException extends Exception {
        public EnvException(String message) {
            super(message);
        }
    }

    /** The container's environment, in order, names unique (later definitions replace earlier values). */
    public List<Map.Entry<String, String>> resolve(Pod pod, Container container, PodStatus status) throws EnvException {
        String ns = pod.getMetadata().getNamespace();
        Map<String, String> env = new LinkedHashMap<>(serviceEnv(pod));
        if (container.getEnvFrom() != null) {
            for (EnvFromSource from : container.getEnvFrom()) {
                String prefix = from.getPrefix() == null ? "" : from.getPrefix();
                if (from.getConfigMapRef() != null) {
                    String name = from.getConfigMapRef().getName();
                    ConfigMap cm = objects.configMap(ns, name);
                    if (cm == null) {
                        if (Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
                            continue;
                        }
                        throw new EnvException("configmap \"" + name + "\" not found");
                    }
                    if (cm.getData() != null) {
                        new TreeMap<>(cm.getData()).forEach((k, v) -> putValid(env, prefix + k, v));
                    }
                } else if (from.getSecretRef() != null) {
                    String name = from.getSecretRef().getName();
                    Secret secret = objects.secret(ns, name);
                    if (secret == null) {
                        if (Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
                            continue;
                        }
                        throw new EnvException("secret \"" + name + "\" not found");
                    }
                    if (secret.getData() != null) {
                        new TreeMap<>(secret.getData()).forEach((k, v) -> putValid(env, prefix + k, decode(v)));
                    }
                }
            }
        }
        if (container.getEnv() != null) {
            for (EnvVar var : container.getEnv()) {
                String value = var.getValueFrom() == null
                        ? Expansion.expand(var.getValue() == null ? "" : var.getValue(), env::get)
                        : valueFrom(pod, container, var.getValueFrom(), status);
                if (value != null) {
                    env.put(var.getName(), value);
                }
            }
        }
        return new ArrayList<>(env.entrySet()).stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }

    /**
     * Upstream's getServiceEnvVarMap: the docker-links style variables of the namespace's Services (when
     * enableServiceLinks, the default) and of the {@code kubernetes} Service in {@code default} (always).
     */
    private Map<String, String> serviceEnv(Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        boolean links = !Boolean.FALSE.equals(pod.getSpec().getEnableServiceLinks());
        Map<String, io.fabric8.kubernetes.api.model.Service> byName = new TreeMap<>();
        try {
            if (links) {
                objects.services(ns).forEach(svc -> byName.put(svc.getMetadata().getName(), svc));
            }
            if (!ns.equals("default") || !links) {
                objects.services("default").stream().filter(svc -> svc.getMetadata().getName().equals("kubernetes"))
                        .forEach(svc -> byName.put("kubernetes", svc));
            }
        } catch (RuntimeException e) {
            // without the Service list, start without the variables rather than not at all (upstream errors
            // only while its service informer has not synced)
            return Map.of();
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (io.fabric8.kubernetes.api.model.Service svc : byName.values()) {
            String ip = svc.getSpec() == null ? null : svc.getSpec().getClusterIP();
            if (ip == null || ip.isEmpty() || ip.equals("None") || svc.getSpec().getPorts() == null
                    || svc.getSpec().getPorts().isEmpty()) {
                continue;
            }
            String name = svc.getMetadata().getName().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            var ports = svc.getSpec().getPorts();
            env.put(name + "_SERVICE_HOST", ip);
            env.put(name + "_SERVICE_PORT", Integer.toString(ports.get(0).getPort()));
            for (var port : ports) {
                if (port.getName() != null && !port.getName().isEmpty()) {
                    env.put(name + "_SERVICE_PORT_" + port.getName().toUpperCase(java.util.Locale.ROOT).replace('-', '_'),
                            Integer.toString(port.getPort()));
                }
            }
            String firstProto = ports.get(0).getProtocol() == null ? "tcp" : ports.get(0).getProtocol().toLowerCase(java.util.Locale.ROOT);
            String hostPort = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + ports.get(0).getPort();
            env.put(name + "_PORT", firstProto + "://" + hostPort);
            for (var port : ports) {
                String proto = port.getProtocol() == null ? "TCP" : port.getProtocol().toUpperCase(java.util.Locale.ROOT);
                String prefix = name + "_PORT_" + port.getPort() + "_" + proto;
                String addr = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port.getPort();
                env.put(prefix, proto.toLowerCase(java.util.Locale.ROOT) + "://" + addr);
                env.put(prefix + "_PROTO", proto.toLowerCase(java.util.Locale.ROOT));
                env.put(prefix + "_PORT", Integer.toString(port.getPort()));
                env.put(prefix + "_ADDR", ip);
            }
        }
        return env;
    }

    private static void putValid(Map<String, String> env, String name, String value) {
        // upstream skips keys that are not valid variable names (and records an event)
        if (ENV_NAME.matcher(name).matches()) {
            env.put(name, value);
        }
    }

    /** The value, or null to leave the variable out (an optional reference to something absent). */
    private String valueFrom(Pod pod, Container container, EnvVarSource source, PodStatus status) throws EnvException {
        String ns = pod.getMetadata().getNamespace();
        if (source.getConfigMapKeyRef() != null) {
            var ref = source.getConfigMapKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            ConfigMap cm = objects.configMap(ns, ref.getName());
            if (cm == null) {
                if (optional) {
                    return null;
                }
                throw new EnvException("configmap \"" + ref.getName() + "\" not found");
            }
            String value = cm.getData() == null ? null : cm.getData().get(ref.getKey());
            if (value == null) {
                if (optional) {
                    return null;
                }
                throw new EnvException("couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/" + ref.getName());
            }
            return value;
        }
        if (source.getSecretKeyRef() != null) {
            var ref = source.getSecretKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.getOptional());
            Secret secret = objects.secret(ns, ref.getName());
            if (secret == null) {
                if (optional) {
                    return null;
                }
                throw new EnvException("secret \"" + ref.getName() + "\" not found");
            }
            String value = secret.getData() == null ? null : secret.getData().get(ref.getKey());
            if (value == null) {
                if (optional) {
                    return null;
                }
                throw new EnvException("couldn't find key " + ref.getKey() + " in Secret " + ns + "/" + ref.getName());
            }
            return decode(value);
        }
        try {
            if (source.getFieldRef() != null) {
                return FieldRefs.field(pod, source.getFieldRef().getFieldPath(), status);
            }
            if (source.getResourceFieldRef() != null) {
                return FieldRefs.resource(pod, container.getName(), source.getResourceFieldRef(), nodeAllocatable.get());
            }
        } catch (IllegalArgumentException e) {
            throw new EnvException(e.getMessage());
        }
        return "";
    }

    static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}

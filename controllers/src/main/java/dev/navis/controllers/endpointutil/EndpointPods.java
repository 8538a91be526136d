package dev.navis.controllers.endpointutil;

import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.util.Selectors;
import dev.navis.controllers.util.PodConditions;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How the Endpoints and EndpointSlice controllers read pods and services (upstream's endpointutil and
 * podutil.FindPort): which pods are endpoints of a service, their address, hostname and ports.
 */
public final class EndpointPods {

    /** Upstream's v1.EndpointsLastChangeTriggerTime annotation. */
    public static final String LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";
    /** Upstream's v1.IsHeadlessService label. */
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

    private EndpointPods() {
    }

    /**
     * The service's selector, null when it has none (such services are left to their users). The model
     * cannot tell an absent selector from an empty one; both count as none.
     */
    public static Map<String, String> selector(Service svc) {
        Map<String, String> s = svc.getSpec() == null ? null : svc.getSpec().getSelector();
        return s == null || s.isEmpty() ? null : s;
    }

    public static boolean selects(Service svc, Pod pod) {
        Map<String, String> s = selector(svc);
        if (s == null || !Objects.equals(svc.getMetadata().getNamespace(), pod.getMetadata().getNamespace())) {
            return false;
        }
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        for (var e : s.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** The keys of the services with a selector in the pod's namespace that select it. */
    public static Set<String> servicesFor(Lister<Service> services, Pod pod) {
        Set<String> keys = new LinkedHashSet<>();
        for (Service svc : services.namespace(pod.getMetadata().getNamespace()).list()) {
            if (selects(svc, pod)) {
                keys.add(Keys.of(svc));
            }
        }
        return keys;
    }

    /**
     * Upstream's ShouldPodBeInEndpoints: not terminal (Succeeded / Failed), has an IP, and when being deleted
     * only if terminating endpoints are wanted.
     */
    public static boolean shouldBeEndpoint(Pod pod, boolean includeTerminating) {
        String phase = PodConditions.phase(pod);
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        if (ipv4(pod) == null) {
            return false;
        }
        return includeTerminating || pod.getMetadata().getDeletionTimestamp() == null;
    }

    /** The pod's IPv4 address (status.podIPs, else status.podIP), null when it has none. */
    public static String ipv4(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        if (pod.getStatus().getPodIPs() != null) {
            for (PodIP ip : pod.getStatus().getPodIPs()) {
                if (ip.getIp() != null && !ip.getIp().contains(":") && !ip.getIp().isEmpty()) {
                    return ip.getIp();
                }
            }
        }
        String ip = pod.getStatus().getPodIP();
        return ip == null || ip.isEmpty() || ip.contains(":") ? null : ip;
    }

    /** Upstream's ShouldSetHostname: the pod names a hostname and the service as its subdomain. */
    public static boolean shouldSetHostname(Pod pod, Service svc) {
        String hostname = pod.getSpec() == null ? null : pod.getSpec().getHostname();
        return hostname != null && !hostname.isEmpty()
                && Objects.equals(pod.getSpec().getSubdomain(), svc.getMetadata().getName())
                && Objects.equals(pod.getMetadata().getNamespace(), svc.getMetadata().getNamespace());
    }

    public static boolean isHeadless(Service svc) {
        return svc.getSpec() != null && "None".equals(svc.getSpec().getClusterIP());
    }

    /**
     * Upstream's podutil.FindPort: the pod's port for a service port. A named targetPort is looked up among
     * the containers' ports of the same protocol; a number is taken as is; no targetPort means the service
     * port. Null when a name matches no container port.
     */
    public static Integer findPort(Pod pod, ServicePort sp) {
        IntOrString target = sp.getTargetPort();
        if (target == null || (target.getIntVal() == null && (target.getStrVal() == null || target.getStrVal().isEmpty()))) {
            return sp.getPort();
        }
        if (target.getIntVal() != null) {
            return target.getIntVal();
        }
        String name = target.getStrVal();
        String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return null;
        }
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getPorts() == null) {
                continue;
            }
            for (ContainerPort p : c.getPorts()) {
                String pp = p.getProtocol() == null ? "TCP" : p.getProtocol();
                if (name.equals(p.getName()) && protocol.equals(pp)) {
                    return p.getContainerPort();
                }
            }
        }
        // a numeric string is a port number (upstream parses it too)
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Go's RFC3339Nano in UTC: fractional seconds without trailing zeros. */
    public static String rfc3339Nano(java.time.Instant t) {
        String s = java.time.format.DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        if (t.getNano() == 0) {
            return s;
        }
        String frac = String.format("%09d", t.getNano()).replaceAll("0+$", "");
        return s.substring(0, s.length() - 1) + "." + frac + "Z";
    }
}

package dev.navis.kubelet.runtime;

import dev.navis.kubelet.cri.v1.Capability;
import dev.navis.kubelet.cri.v1.DNSConfig;
import dev.navis.kubelet.cri.v1.Int64Value;
import dev.navis.kubelet.cri.v1.LinuxContainerResources;
import dev.navis.kubelet.cri.v1.LinuxContainerSecurityContext;
import dev.navis.kubelet.cri.v1.NamespaceMode;
import dev.navis.kubelet.cri.v1.NamespaceOption;
import dev.navis.kubelet.cri.v1.PortMapping;
import dev.navis.kubelet.cri.v1.Protocol;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Translations from the Pod API to CRI configs, following upstream's kuberuntime. */
final class PodConfigs {

    static final long CPU_PERIOD = 100_000;
    static final long MIN_CPU_SHARES = 2;
    static final long MIN_QUOTA = 1000;

    private PodConfigs() {
    }

    static List<Container> allContainers(Pod pod) {
        List<Container> all = new ArrayList<>();
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        if (pod.getSpec().getContainers() != null) {
            all.addAll(pod.getSpec().getContainers());
        }
        return all;
    }

    /** The pod's QoS class, computed as the API does (Guaranteed, Burstable, BestEffort). */
    static String qosClass(Pod pod) {
        if (pod.getStatus() != null && pod.getStatus().getQosClass() != null) {
            return pod.getStatus().getQosClass();
        }
        boolean any = false;
        boolean guaranteed = true;
        for (Container c : allContainers(pod)) {
            Map<String, Quantity> req = c.getResources() == null ? null : c.getResources().getRequests();
            Map<String, Quantity> lim = c.getResources() == null ? null : c.getResources().getLimits();
            for (String r : List.of("cpu", "memory")) {
                Quantity l = lim == null ? null : lim.get(r);
                Quantity q = req == null ? null : req.get(r);
                if (l != null || q != null) {
                    any = true;
                }
                if (l == null) {
                    guaranteed = false;
                } else if (q != null && amount(q).compareTo(amount(l)) != 0) {
                    guaranteed = false;
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    /** The pod's cgroupfs parent: {@code <root>/pod<uid>} (Guaranteed) or {@code <root>/<qos>/pod<uid>}. */
    static String cgroupParent(String cgroupRoot, Pod pod) {
        String qos = qosClass(pod);
        String root = cgroupRoot.endsWith("/") ? cgroupRoot.substring(0, cgroupRoot.length() - 1) : cgroupRoot;
        String pod0 = "pod" + pod.getMetadata().getUid();
        return switch (qos) {
            case "Guaranteed" -> root + "/" + pod0;
            case "BestEffort" -> root + "/besteffort/" + pod0;
            default -> root + "/burstable/" + pod0;
        };
    }

    /** CPU shares, CFS quota, memory limit and OOM score as upstream's generateLinuxContainerResources. */
    static LinuxContainerResources resources(Pod pod, Container c, long memoryCapacity) {
        LinuxContainerResources.Builder b = LinuxContainerResources.newBuilder();
        Map<String, Quantity> req = c.getResources() == null ? Map.of() : nonNull(c.getResources().getRequests());
        Map<String, Quantity> lim = c.getResources() == null ? Map.of() : nonNull(c.getResources().getLimits());
        Quantity cpuReq = req.getOrDefault("cpu", lim.get("cpu"));
        long milliReq = cpuReq == null ? 0 : milli(cpuReq);
        b.setCpuShares(Math.max(MIN_CPU_SHARES, milliReq * 1024 / 1000));
        if (lim.containsKey("cpu")) {
            long quota = milli(lim.get("cpu")) * CPU_PERIOD / 1000;
            b.setCpuPeriod(CPU_PERIOD).setCpuQuota(Math.max(MIN_QUOTA, quota));
        }
        if (lim.containsKey("memory")) {
            b.setMemoryLimitInBytes(amount(lim.get("memory")).longValue());
        }
        Quantity memReq = req.getOrDefault("memory", lim.get("memory"));
        b.setOomScoreAdj(oomScoreAdj(qosClass(pod), memReq == null ? 0 : amount(memReq).longValue(), memoryCapacity));
        return b.build();
    }

    /** Upstream's policy: Guaranteed -997, BestEffort 1000, Burstable scaled by the memory request (2..999). */
    static long oomScoreAdj(String qos, long memoryRequest, long memoryCapacity) {
        if (qos.equals("Guaranteed")) {
            return -997;
        }
        if (qos.equals("BestEffort")) {
            return 1000;
        }
        long adj = memoryCapacity <= 0 ? 999 : 1000 - (1000 * memoryRequest) / memoryCapacity;
        if (adj < 2) {
            return 2;
        }
        return adj >= 1000 ? 999 : adj;
    }

    /** The container's security context, the pod's as defaults for user, group and supplemental groups. */
    static LinuxContainerSecurityContext securityContext(Pod pod, Container c, NamespaceOption namespaces) {
        LinuxContainerSecurityContext.Builder b = LinuxContainerSecurityContext.newBuilder();
        b.setNamespaceOptions(namespaces);
        PodSecurityContext psc = pod.getSpec().getSecurityContext();
        SecurityContext sc = c.getSecurityContext();
        Long user = sc != null && sc.getRunAsUser() != null ? sc.getRunAsUser() : psc == null ? null : psc.getRunAsUser();
        Long group = sc != null && sc.getRunAsGroup() != null ? sc.getRunAsGroup() : psc == null ? null : psc.getRunAsGroup();
        if (user != null) {
            b.setRunAsUser(Int64Value.newBuilder().setValue(user));
        }
        if (group != null) {
            b.setRunAsGroup(Int64Value.newBuilder().setValue(group));
        }
        if (psc != null) {
            if (psc.getSupplementalGroups() != null) {
                b.addAllSupplementalGroups(psc.getSupplementalGroups());
            }
            if (psc.getFsGroup() != null) {
                b.addSupplementalGroups(psc.getFsGroup());
            }
        }
        if (sc != null) {
            if (Boolean.TRUE.equals(sc.getPrivileged())) {
                b.setPrivileged(true);
            }
            if (Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                b.setReadonlyRootfs(true);
            }
            if (Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                b.setNoNewPrivs(true);
            }
            if (sc.getCapabilities() != null) {
                Capability.Builder caps = Capability.newBuilder();
                if (sc.getCapabilities().getAdd() != null) {
                    caps.addAllAddCapabilities(sc.getCapabilities().getAdd());
                }
                if (sc.getCapabilities().getDrop() != null) {
                    caps.addAllDropCapabilities(sc.getCapabilities().getDrop());
                }
                b.setCapabilities(caps);
            }
        }
        return b.build();
    }

    static boolean anyPrivileged(Pod pod) {
        return allContainers(pod).stream().anyMatch(c -> c.getSecurityContext() != null
                && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged()));
    }

    /**
     * The namespaces of a container that joins {@code pidTarget}'s process namespace (an ephemeral container
     * with a targetContainerName), as upstream: only where the pod does not share one already.
     */
    static NamespaceOption namespaces(Pod pod, String pidTarget) {
        NamespaceOption ns = namespaces(pod);
        if (pidTarget == null || ns.getPid() != NamespaceMode.CONTAINER) {
            return ns;
        }
        return ns.toBuilder().setPid(NamespaceMode.TARGET).setTargetId(pidTarget).build();
    }

    /** Network, PID and IPC namespaces: POD unless hostNetwork/hostPID/hostIPC; PID per container by default. */
    static NamespaceOption namespaces(Pod pod) {
        var spec = pod.getSpec();
        return NamespaceOption.newBuilder()
                .setNetwork(Boolean.TRUE.equals(spec.getHostNetwork()) ? NamespaceMode.NODE : NamespaceMode.POD)
                .setPid(Boolean.TRUE.equals(spec.getHostPID()) ? NamespaceMode.NODE
                        : Boolean.TRUE.equals(spec.getShareProcessNamespace()) ? NamespaceMode.POD : NamespaceMode.CONTAINER)
                .setIpc(Boolean.TRUE.equals(spec.getHostIPC()) ? NamespaceMode.NODE : NamespaceMode.POD)
                .build();
    }

    /** hostPort mappings of every container port that asks for one. */
    static List<PortMapping> portMappings(Pod pod) {
        List<PortMapping> out = new ArrayList<>();
        for (Container c : allContainers(pod)) {
            if (c.getPorts() == null) {
                continue;
            }
            for (ContainerPort p : c.getPorts()) {
                if (p.getHostPort() == null || p.getHostPort() <= 0) {
                    continue;
                }
                Protocol proto = switch (p.getProtocol() == null ? "TCP" : p.getProtocol()) {
                    case "UDP" -> Protocol.UDP;
                    case "SCTP" -> Protocol.SCTP;
                    default -> Protocol.TCP;
                };
                PortMapping.Builder m = PortMapping.newBuilder().setProtocol(proto)
                        .setContainerPort(p.getContainerPort()).setHostPort(p.getHostPort());
                if (p.getHostIP() != null) {
                    m.setHostIp(p.getHostIP());
                }
                out.add(m.build());
            }
        }
        return out;
    }

    /** The DNS servers, searches and options of resolv.conf contents. */
    static DNSConfig dnsConfig(String resolvConf) {
        DNSConfig.Builder b = DNSConfig.newBuilder();
        for (String line : resolvConf.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 2 || f[0].startsWith("#")) {
                continue;
            }
            switch (f[0]) {
                case "nameserver" -> b.addServers(f[1]);
                case "search" -> {
                    b.clearSearches();
                    for (int i = 1; i < f.length; i++) {
                        b.addSearches(f[i]);
                    }
                }
                case "options" -> {
                    for (int i = 1; i < f.length; i++) {
                        b.addOptions(f[i]);
                    }
                }
                default -> {
                }
            }
        }
        return b.build();
    }

    /** The pod's hostname: spec.hostname or the pod name, as a DNS label of at most 63 characters. */
    static String hostname(Pod pod) {
        String h = pod.getSpec().getHostname() != null && !pod.getSpec().getHostname().isEmpty()
                ? pod.getSpec().getHostname() : pod.getMetadata().getName();
        if (h.length() > 63) {
            h = h.substring(0, 63);
        }
        while (h.endsWith("-") || h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /** Expands {@code $(VAR)} references in command and args from the container's environment ($$ escapes). */
    static String expand(String s, Map<String, String> env) {
        if (!s.contains("$")) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '$' && i + 1 < s.length()) {
                char next = s.charAt(i + 1);
                if (next == '$') {
                    out.append('$');
                    i++;
                    continue;
                }
                if (next == '(') {
                    int close = s.indexOf(')', i + 2);
                    if (close > 0) {
                        String name = s.substring(i + 2, close);
                        if (env.containsKey(name)) {
                            out.append(env.get(name));
                            i = close;
                            continue;
                        }
                    }
                }
            }
            out.append(ch);
        }
        return out.toString();
    }

    /** Total memory of the machine in bytes (MemTotal of /proc/meminfo), 0 when unknown. */
    static long machineMemory() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(0L);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    static BigDecimal amount(Quantity q) {
        return Quantity.getAmountInBytes(q);
    }

    static long milli(Quantity q) {
        return amount(q).multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING).longValue();
    }

    private static <K, V> Map<K, V> nonNull(Map<K, V> m) {
        return m == null ? Map.of() : m;
    }
}

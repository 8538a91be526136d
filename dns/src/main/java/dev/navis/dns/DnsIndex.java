package dev.navis.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;

/**
 * Every record the cluster zone holds at one moment, built from Services and EndpointSlices with the
 * Kubernetes DNS specification (the one CoreDNS' kubernetes plugin implements):
 *
 * <ul>
 *   <li>{@code <svc>.<ns>.svc.<zone>}: A/AAAA of the ClusterIPs; for a headless Service the addresses of its
 *       ready endpoints (and of not-ready ones with publishNotReadyAddresses); CNAME for ExternalName.</li>
 *   <li>{@code <hostname>.<svc>.<ns>.svc.<zone>} for a headless Service's endpoints: the endpoint's hostname
 *       or, without one, its address with dashes ({@code 10-42-0-5}).</li>
 *   <li>{@code _<port>._<proto>.<svc>.<ns>.svc.<zone>} SRV for named ports: the Service name (ClusterIP) or each
 *       endpoint's name (headless).</li>
 *   <li>PTR for ClusterIPs and headless endpoints' addresses.</li>
 * </ul>
 * Immutable; {@link ClusterDns} rebuilds it when its informers report a change.
 */
public final class DnsIndex {
    /** CoreDNS' default TTL for cluster records. */
    public static final long TTL = 5;

    private final Name zone;
    private final Map<Name, List<Record>> records;
    private final Set<Name> names;
    private final Map<Name, Record> pointers;

    private DnsIndex(Name zone, Map<Name, List<Record>> records, Set<Name> names, Map<Name, Record> pointers) {
        this.zone = zone;
        this.records = records;
        this.names = names;
        this.pointers = pointers;
    }

    public Name zone() {
        return zone;
    }

    /** The records at a name (every type), empty when none. */
    public List<Record> at(Name name) {
        return records.getOrDefault(lower(name), List.of());
    }

    /** True when the name or a name below it holds records (so NODATA rather than NXDOMAIN). */
    public boolean exists(Name name) {
        Name n = lower(name);
        return n.equals(zone) || names.contains(n);
    }

    /** The PTR record of a reverse name ({@code 5.0.42.10.in-addr.arpa.}), or null. */
    public Record pointer(Name reverse) {
        return pointers.get(lower(reverse));
    }

    public int size() {
        return records.values().stream().mapToInt(List::size).sum();
    }

    private static Name lower(Name n) {
        try {
            return Name.fromString(n.toString().toLowerCase(Locale.ROOT));
        } catch (TextParseException e) {
            return n;
        }
    }

    public static DnsIndex build(String zoneName, Collection<Service> services, Collection<EndpointSlice> slices) {
        Builder b = new Builder(absolute(zoneName));
        Map<String, List<EndpointSlice>> byService = new HashMap<>();
        for (EndpointSlice s : slices) {
            Map<String, String> labels = s.getMetadata().getLabels();
            String svc = labels == null ? null : labels.get("kubernetes.io/service-name");
            if (svc != null) {
                byService.computeIfAbsent(s.getMetadata().getNamespace() + "/" + svc, k -> new ArrayList<>()).add(s);
            }
        }
        for (Service svc : services) {
            try {
                b.service(svc, byService.getOrDefault(svc.getMetadata().getNamespace() + "/"
                        + svc.getMetadata().getName(), List.of()));
            } catch (java.io.IOException | IllegalArgumentException e) {
                // a name or address DNS cannot carry: leave this Service out rather than fail every query
            }
        }
        return b.build();
    }

    static Name absolute(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad DNS name " + name, e);
        }
    }

    private static final class Builder {
        private final Name zone;
        private final Map<Name, List<Record>> records = new LinkedHashMap<>();
        private final Set<Name> names = new HashSet<>();
        private final Map<Name, Record> pointers = new HashMap<>();

        Builder(Name zone) {
            this.zone = zone;
        }

        void service(Service svc, List<EndpointSlice> slices) throws java.io.IOException {
            ServiceSpec spec = svc.getSpec();
            if (spec == null) {
                return;
            }
            Name svcName = Name.fromString(svc.getMetadata().getName() + "." + svc.getMetadata().getNamespace()
                    + ".svc", zone);
            if ("ExternalName".equals(spec.getType())) {
                if (spec.getExternalName() != null && !spec.getExternalName().isBlank()) {
                    add(new CNAMERecord(svcName, DClass.IN, TTL, absolute(spec.getExternalName())));
                }
                return;
            }
            boolean headless = "None".equals(spec.getClusterIP());
            if (!headless) {
                List<String> ips = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? spec.getClusterIPs()
                        : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
                for (String ip : ips) {
                    InetAddress addr = org.xbill.DNS.Address.getByAddress(ip);
                    add(address(svcName, addr));
                    pointers.putIfAbsent(ReverseMap.fromAddress(addr), new PTRRecord(ReverseMap.fromAddress(addr),
                            DClass.IN, TTL, svcName));
                }
                for (ServicePort p : spec.getPorts() == null ? List.<ServicePort>of() : spec.getPorts()) {
                    if (p.getName() != null && !p.getName().isEmpty() && p.getPort() != null) {
                        add(new SRVRecord(srvName(p.getName(), p.getProtocol(), svcName), DClass.IN, TTL, 0, 100,
                                p.getPort(), svcName));
                    }
                }
                return;
            }
            boolean publishNotReady = Boolean.TRUE.equals(spec.getPublishNotReadyAddresses());
            Set<String> seen = new HashSet<>();
            for (EndpointSlice slice : slices) {
                for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
                    boolean ready = e.getConditions() == null || e.getConditions().getReady() == null
                            || e.getConditions().getReady();
                    if ((!ready && !publishNotReady) || e.getAddresses() == null) {
                        continue;
                    }
                    for (String ip : e.getAddresses()) {
                        InetAddress addr = org.xbill.DNS.Address.getByAddress(ip);
                        String label = e.getHostname() != null && !e.getHostname().isEmpty() ? e.getHostname()
                                : ip.replace('.', '-').replace(':', '-');
                        Name epName = Name.concatenate(Name.fromString(label), svcName);
                        if (seen.add(ip)) {
                            add(address(svcName, addr));
                        }
                        if (seen.add(epName + "/" + ip)) {
                            add(address(epName, addr));
                            pointers.putIfAbsent(ReverseMap.fromAddress(addr), new PTRRecord(
                                    ReverseMap.fromAddress(addr), DClass.IN, TTL, epName));
                        }
                        for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                            if (p.getName() != null && !p.getName().isEmpty() && p.getPort() != null
                                    && seen.add("srv/" + p.getName() + "/" + p.getProtocol() + "/" + epName)) {
                                add(new SRVRecord(srvName(p.getName(), p.getProtocol(), svcName), DClass.IN, TTL, 0,
                                        100, p.getPort(), epName));
                            }
                        }
                    }
                }
            }
        }

        private static Name srvName(String port, String protocol, Name svcName) throws java.io.IOException {
            String proto = protocol == null ? "tcp" : protocol.toLowerCase(Locale.ROOT);
            return Name.concatenate(Name.fromString("_" + port.toLowerCase(Locale.ROOT) + "._" + proto), svcName);
        }

        private static Record address(Name name, InetAddress addr) {
            return addr instanceof java.net.Inet6Address ? new AAAARecord(name, DClass.IN, TTL, addr)
                    : new ARecord(name, DClass.IN, TTL, addr);
        }

        private void add(Record r) {
            Name name = lower(r.getName());
            records.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
            for (Name n = name; n.labels() > zone.labels() && n.subdomain(zone); n = new Name(n, 1)) {
                names.add(n);
            }
        }

        DnsIndex build() {
            return new DnsIndex(zone, records, names, pointers);
        }
    }
}

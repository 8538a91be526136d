package dev.navis.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.navis.client.fake.FakeKubeClient;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** Queries with dnsjava's resolver against the cluster DNS on an ephemeral port, over UDP and TCP. */
class ClusterDnsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private FakeKubeClient client;
    private ClusterDns dns;
    private DatagramSocket upstream;
    private Thread upstreamThread;

    @BeforeEach
    void setUp() throws Exception {
        client = new FakeKubeClient();
        client.seed(
                service("default", "web", "10.43.0.20").build(),
                service("default", "db", "None").build(),
                new ServiceBuilder().withNewMetadata().withNamespace("default").withName("ext").endMetadata()
                        .withNewSpec().withType("ExternalName").withExternalName("example.test").endSpec().build(),
                new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName("db-x")
                        .addToLabels("kubernetes.io/service-name", "db").endMetadata().withAddressType("IPv4")
                        .addNewPort().withName("pg").withProtocol("TCP").withPort(5432).endPort()
                        .addNewEndpoint().withAddresses("10.42.0.11").withHostname("db-0").withNewConditions()
                        .withReady(true).endConditions().endEndpoint()
                        .addNewEndpoint().withAddresses("10.42.0.12").withNewConditions().withReady(true)
                        .endConditions().endEndpoint()
                        .addNewEndpoint().withAddresses("10.42.0.13").withHostname("db-2").withNewConditions()
                        .withReady(false).endConditions().endEndpoint()
                        .build());
        upstream = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        upstreamThread = Thread.ofVirtual().start(this::serveUpstream);
        dns = ClusterDns.start(client, new ClusterDns.Options(LOOPBACK, 0, "cluster.local",
                List.of(new InetSocketAddress(LOOPBACK, upstream.getLocalPort())), Duration.ofSeconds(2)));
    }

    @AfterEach
    void tearDown() {
        if (dns != null) {
            dns.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private static ServiceBuilder service(String ns, String name, String clusterIP) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIP)
                .withClusterIPs("None".equals(clusterIP) ? List.of() : List.of(clusterIP))
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).withTargetPort(new IntOrString(8080))
                .endPort().endSpec();
    }

    /** A stand-in for the host's resolver: answers every A query with 192.0.2.7. */
    private void serveUpstream() {
        byte[] buf = new byte[4096];
        while (!upstream.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                upstream.receive(p);
                Message q = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                Message r = new Message(q.getHeader().getID());
                r.getHeader().setFlag(Flags.QR);
                r.addRecord(q.getQuestion(), Section.QUESTION);
                r.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 60, InetAddress.getByName("192.0.2.7")),
                        Section.ANSWER);
                byte[] out = r.toWire();
                upstream.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private Message query(String name, int type, boolean tcp) throws IOException {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(LOOPBACK, dns.port()));
        resolver.setTCP(tcp);
        resolver.setTimeout(Duration.ofSeconds(5));
        return resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    private Message query(String name, int type) throws IOException {
        return query(name, type, false);
    }

    private static List<String> answers(Message m) {
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).sorted().collect(Collectors.toList());
    }

    @Test
    void clusterIpServiceAnswersWithItsAddressOverUdpAndTcp() throws Exception {
        for (boolean tcp : List.of(false, true)) {
            Message m = query("web.default.svc.cluster.local.", Type.A, tcp);
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
            assertThat(answers(m)).containsExactly("10.43.0.20");
            assertThat(m.getSection(Section.ANSWER).getFirst().getTTL()).isEqualTo(5);
        }
        // names are case-insensitive; the answer echoes the question's spelling
        Message mixed = query("WEB.Default.svc.cluster.local.", Type.A);
        assertThat(answers(mixed)).containsExactly("10.43.0.20");
        assertThat(mixed.getSection(Section.ANSWER).getFirst().getName().toString())
                .isEqualTo("WEB.Default.svc.cluster.local.");
        // the name exists without IPv6: NODATA with the zone's SOA
        Message aaaa = query("web.default.svc.cluster.local.", Type.AAAA);
        assertThat(aaaa.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(aaaa.getSection(Section.ANSWER)).isEmpty();
        assertThat(aaaa.getSection(Section.AUTHORITY)).singleElement()
                .satisfies(r -> assertThat(r.getType()).isEqualTo(Type.SOA));
    }

    @Test
    void headlessServiceAnswersWithItsReadyEndpointsAndTheirNames() throws Exception {
        assertThat(answers(query("db.default.svc.cluster.local.", Type.A))).containsExactly("10.42.0.11", "10.42.0.12");
        assertThat(answers(query("db-0.db.default.svc.cluster.local.", Type.A))).containsExactly("10.42.0.11");
        assertThat(answers(query("10-42-0-12.db.default.svc.cluster.local.", Type.A))).containsExactly("10.42.0.12");
        // a not-ready endpoint is not published
        assertThat(query("db-2.db.default.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void srvForNamedPorts() throws Exception {
        Message web = query("_http._tcp.web.default.svc.cluster.local.", Type.SRV);
        assertThat(answers(web)).containsExactly("0 100 80 web.default.svc.cluster.local.");
        assertThat(web.getSection(Section.ADDITIONAL).stream().filter(r -> r.getType() == Type.A)
                .map(Record::rdataToString)).containsExactly("10.43.0.20");
        Message db = query("_pg._tcp.db.default.svc.cluster.local.", Type.SRV);
        assertThat(answers(db)).containsExactly("0 100 5432 10-42-0-12.db.default.svc.cluster.local.",
                "0 100 5432 db-0.db.default.svc.cluster.local.");
    }

    @Test
    void ptrForServiceAndEndpointAddresses() throws Exception {
        assertThat(answers(query("20.0.43.10.in-addr.arpa.", Type.PTR))).containsExactly("web.default.svc.cluster.local.");
        assertThat(answers(query("11.0.42.10.in-addr.arpa.", Type.PTR)))
                .containsExactly("db-0.db.default.svc.cluster.local.");
    }

    @Test
    void unknownNamesInTheZoneAreNxdomainWithSoa() throws Exception {
        Message m = query("nope.default.svc.cluster.local.", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        Record soa = m.getSection(Section.AUTHORITY).getFirst();
        assertThat(soa.getType()).isEqualTo(Type.SOA);
        assertThat(soa.getName().toString()).isEqualTo("cluster.local.");
        // a namespace with Services is an empty non-terminal: NODATA, not NXDOMAIN
        assertThat(query("default.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(query("svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    @Test
    void externalNameIsACname() throws Exception {
        Message m = query("ext.default.svc.cluster.local.", Type.A);
        assertThat(m.getSection(Section.ANSWER)).singleElement().satisfies(r -> {
            assertThat(r.getType()).isEqualTo(Type.CNAME);
            assertThat(r.rdataToString()).isEqualTo("example.test.");
        });
    }

    @Test
    void otherNamesAreForwardedToTheHostsResolvers() throws Exception {
        Message m = query("example.test.", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answers(m)).containsExactly("192.0.2.7");
        assertThat(m.getHeader().getFlag(Flags.AA)).isFalse();
    }

    @Test
    void aSilentUpstreamGivesServfailAfterTheForwardTimeout() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             ClusterDns quiet = ClusterDns.start(client, new ClusterDns.Options(LOOPBACK, 0, "cluster.local",
                     List.of(new InetSocketAddress(LOOPBACK, silent.getLocalPort())), Duration.ofMillis(300)))) {
            SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(LOOPBACK, quiet.port()));
            resolver.setTimeout(Duration.ofSeconds(5));
            Message m = resolver.send(Message.newQuery(Record.newRecord(Name.fromString("example.test."), Type.A, DClass.IN)));
            assertThat(m.getRcode()).isEqualTo(Rcode.SERVFAIL);
        }
    }

    @Test
    void newServicesResolveOnceSeen() throws Exception {
        assertThat(query("late.default.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        client.services().namespace("default").create(service("default", "late", "10.43.0.77").build());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> answers(query("late.default.svc.cluster.local.", Type.A)).equals(List.of("10.43.0.77")));
    }

    @Test
    void kubeDnsServicePointsAtTheServer() {
        KubeDnsService.ensure(client, "node-a", "192.168.1.5", 10053);
        Service svc = client.services().namespace("kube-system").get("kube-dns");
        assertThat(svc.getSpec().getClusterIP()).isEqualTo("10.43.0.10");
        assertThat(svc.getSpec().getSelector()).isNullOrEmpty();
        assertThat(svc.getSpec().getPorts()).extracting(p -> p.getProtocol() + "/" + p.getPort())
                .containsExactly("UDP/53", "TCP/53");
        EndpointSlice slice = client.endpointSlices().namespace("kube-system").get("kube-dns-navis");
        assertThat(slice.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "kube-dns");
        assertThat(slice.getEndpoints().getFirst().getAddresses()).containsExactly("192.168.1.5");
        assertThat(slice.getPorts()).extracting(p -> p.getProtocol() + "/" + p.getPort())
                .containsExactly("UDP/10053", "TCP/10053");

        // a restart on another port moves the slice
        KubeDnsService.ensure(client, "node-a", "192.168.1.5", 10054);
        assertThat(client.endpointSlices().namespace("kube-system").get("kube-dns-navis").getPorts())
                .extracting(p -> p.getPort()).containsExactly(10054, 10054);
    }
}

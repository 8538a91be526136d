package dev.navis.proxy.nftables;

import static dev.navis.proxy.TestObjects.endpoint;
import static dev.navis.proxy.TestObjects.ready;
import static dev.navis.proxy.TestObjects.service;
import static dev.navis.proxy.TestObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.proxy.ServiceTable;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The ruleset generated from a table of Services and EndpointSlices, and the transactions between two. */
class NftablesRulesTest {
    private static final String NODE = "node-a";
    private final NftablesRules rules = new NftablesRules(
            new NftablesRules.NftConfig("navis-proxy", "10.42.0.0/16", "10.43.0.0/16", true));

    private NftRuleset build(List<Service> services, List<EndpointSlice> slices) {
        return rules.build(ServiceTable.build(services, slices, NODE));
    }

    /** Chain name prefix ("service-HASH-ns/name/tcp/http") → rules, for the chains of one kind. */
    private static Map<String, List<String>> chains(NftRuleset r, String kind) {
        return r.rules().entrySet().stream().filter(e -> e.getKey().matches(kind + "-[A-Z2-7]{8}-.*"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static String only(Map<String, List<String>> chains) {
        assertThat(chains).hasSize(1);
        return chains.keySet().iterator().next();
    }

    @Test
    void clusterIpBalancesRandomlyOverReadyEndpoints() {
        NftRuleset r = build(List.of(service("ns1", "web", "10.43.0.41", 80, 8080).build()),
                List.of(slice("ns1", "web", "web-abc", 8080, ready("10.42.0.5", NODE), ready("10.42.1.7", "node-b"),
                        endpoint("10.42.2.9", "node-b", false, false, false))));

        // without session affinity no chain of its own: the chain shared by all services with two endpoints
        // picks one from a map keyed by the service's address and a random number
        assertThat(chains(r, "service")).isEmpty();
        assertThat(chains(r, "endpoint")).isEmpty();
        assertThat(r.rules().get("select-2")).containsExactly(
                "dnat to ip daddr . meta l4proto . th dport . numgen random mod 2 map @endpoints-2",
                "dnat to meta l4proto . th dport . numgen random mod 2 map @nodeport-endpoints-2");
        assertThat(r.elements("endpoints-2")).containsExactly(
                "10.43.0.41 . tcp . 80 . 0 : 10.42.0.5 . 8080", "10.43.0.41 . tcp . 80 . 1 : 10.42.1.7 . 8080");
        // hairpin: the endpoints a connection from a pod of this node may be DNATed back to, for the masquerading
        // chain (10.42.1.7 runs on node-b: no pod here can be it)
        assertThat(r.elements("hairpin-endpoints")).containsExactly("10.42.0.5 . 10.42.0.5");
        assertThat(r.elements("cluster-ips")).containsExactly("10.43.0.41");
        assertThat(r.elements("service-ips")).containsExactly("10.43.0.41 . tcp . 80 : goto select-2");
        // off-cluster clients of any ClusterIP are masqueraded
        assertThat(r.rules().get("services")).first()
                .isEqualTo("ip daddr @cluster-ips ip saddr != 10.42.0.0/16 jump mark-for-masquerade");
        assertThat(r.elements("no-endpoint-services")).isEmpty();
        // the shared plumbing: hooks, masquerading, the reject path
        assertThat(r.rules().get("nat-prerouting")).containsExactly("jump services");
        assertThat(r.rules().get("nat-output")).containsExactly("jump services");
        assertThat(r.rules().get("masquerading")).containsExactly(
                "ct status dnat ip saddr . ip daddr @hairpin-endpoints jump mark-for-masquerade",
                "mark and 0x4000 == 0 return",
                "mark set mark xor 0x4000", "masquerade fully-random");
        assertThat(r.rules().get("reject-chain")).containsExactly("meta l4proto tcp reject with tcp reset", "reject");
        assertThat(r.fullTransaction()).contains("\tchain nat-output {\n\t\ttype nat hook output priority -100 ;\n\t\tjump services\n\t}\n");
    }

    @Test
    void serviceWithoutEndpointsIsRejectedNotRouted() {
        NftRuleset r = build(List.of(service("ns1", "empty", "10.43.0.46", 80, 80).build()), List.of());
        assertThat(chains(r, "service")).isEmpty();
        assertThat(r.elements("service-ips")).isEmpty();
        assertThat(r.elements("cluster-ips")).containsExactly("10.43.0.46");
        assertThat(r.elements("no-endpoint-services")).containsExactly("10.43.0.46 . tcp . 80 : goto reject-chain");
        assertThat(r.rules().get("service-endpoints-check"))
                .containsExactly("ip daddr . meta l4proto . th dport vmap @no-endpoint-services");
        assertThat(r.rules().get("filter-output")).contains("ct state new jump service-endpoints-check");
    }

    @Test
    void terminatingEndpointsServeOnlyWhenNoneIsReady() {
        EndpointSlice mixed = slice("ns1", "web", "web-1", 80, ready("10.42.0.5", NODE),
                endpoint("10.42.0.6", NODE, false, true, true));
        NftRuleset withReady = build(List.of(service("ns1", "web", "10.43.0.41", 80, 80).build()), List.of(mixed));
        assertThat(withReady.elements("endpoints-1")).containsExactly("10.43.0.41 . tcp . 80 . 0 : 10.42.0.5 . 80");

        EndpointSlice draining = slice("ns1", "web", "web-1", 80, endpoint("10.42.0.5", NODE, false, false, true),
                endpoint("10.42.0.6", NODE, false, true, true));
        NftRuleset onlyTerminating = build(List.of(service("ns1", "web", "10.43.0.41", 80, 80).build()), List.of(draining));
        assertThat(onlyTerminating.elements("endpoints-1"))
                .containsExactly("10.43.0.41 . tcp . 80 . 0 : 10.42.0.6 . 80");
        assertThat(onlyTerminating.elements("no-endpoint-services")).isEmpty();
    }

    @Test
    void nodePortGoesThroughAnExternalChainThatMasquerades() {
        Service svc = service("ns3", "np", "10.43.0.43", 80, 80).editSpec().withType("NodePort").editFirstPort()
                .withNodePort(30080).endPort().endSpec().build();
        NftRuleset r = build(List.of(svc), List.of(slice("ns3", "np", "np-1", 80, ready("10.42.0.3", "node-b"))));
        String external = only(chains(r, "external"));
        assertThat(r.rules().get(external)).containsExactly("jump mark-for-masquerade", "goto select-1");
        assertThat(r.elements("service-nodeports")).containsExactly("tcp . 30080 : goto " + external);
        assertThat(r.elements("nodeport-endpoints-1")).containsExactly("tcp . 30080 . 0 : 10.42.0.3 . 80");
        assertThat(r.rules().get("services")).containsExactly(
                "ip daddr @cluster-ips ip saddr != 10.42.0.0/16 jump mark-for-masquerade",
                "ip daddr . meta l4proto . th dport vmap @service-ips",
                "fib daddr type local meta l4proto . th dport vmap @service-nodeports");

        // without endpoints the NodePort is refused like the ClusterIP
        NftRuleset empty = build(List.of(svc), List.of());
        assertThat(empty.elements("no-endpoint-nodeports")).containsExactly("tcp . 30080 : goto reject-chain");
        assertThat(chains(empty, "external")).isEmpty();
    }

    @Test
    void loadBalancerIngressIpIsDnatedOnTheServicePortThroughTheExternalChain() {
        Service svc = service("ns3", "lb", "10.43.0.44", 80, 8080).editSpec().withType("LoadBalancer").editFirstPort()
                .withNodePort(30081).endPort().endSpec().withNewStatus().withNewLoadBalancer()
                .addNewIngress().withIp("192.168.1.11").withIpMode("VIP").endIngress()
                .addNewIngress().withIp("192.168.1.99").withIpMode("Proxy").endIngress()
                .endLoadBalancer().endStatus().build();
        NftRuleset r = build(List.of(svc), List.of(slice("ns3", "lb", "lb-1", 8080, ready("10.42.0.3", "node-b"))));
        String external = only(chains(r, "external"));
        assertThat(r.rules().get(external)).containsExactly("jump mark-for-masquerade", "goto select-1");
        // ipMode Proxy: the load balancer delivers to the nodes itself, so its address is not captured here
        assertThat(r.elements("service-ips")).containsExactlyInAnyOrder(
                "10.43.0.44 . tcp . 80 : goto select-1",
                "192.168.1.11 . tcp . 80 : goto " + external);
        assertThat(r.elements("endpoints-1")).containsExactlyInAnyOrder(
                "10.43.0.44 . tcp . 80 . 0 : 10.42.0.3 . 8080", "192.168.1.11 . tcp . 80 . 0 : 10.42.0.3 . 8080");
        assertThat(r.elements("service-nodeports")).containsExactly("tcp . 30081 : goto " + external);

        // without endpoints the load-balancer address is refused like the ClusterIP
        NftRuleset empty = build(List.of(svc), List.of());
        assertThat(empty.elements("no-endpoint-services")).contains("192.168.1.11 . tcp . 80 : goto reject-chain");
    }

    @Test
    void localhostNodePortsCanBeTurnedOff() {
        NftablesRules noLocalhost = new NftablesRules(
                new NftablesRules.NftConfig("navis-proxy", "10.42.0.0/16", "10.43.0.0/16", false));
        NftRuleset r = noLocalhost.build(List.of());
        assertThat(r.rules().get("services")).contains(
                "fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports");
        assertThat(r.rules().get("filter-input")).noneMatch(rule -> rule.contains("127.0.0.0/8"));
    }

    @Test
    void sessionAffinityKeepsAClientOnItsEndpoint() {
        Service svc = service("ns5", "sticky", "10.43.0.45", 80, 80).editSpec().withSessionAffinity("ClientIP")
                .withNewSessionAffinityConfig().withNewClientIP().withTimeoutSeconds(600).endClientIP()
                .endSessionAffinityConfig().endSpec().build();
        NftRuleset r = build(List.of(svc), List.of(slice("ns5", "sticky", "s-1", 80, ready("10.42.0.3", NODE))));
        String endpointChain = only(chains(r, "endpoint"));
        String name = endpointChain.substring("endpoint-".length());
        assertThat(r.fullTransaction()).contains("\tset affinity-" + name
                + " { type ipv4_addr ; flags dynamic,timeout ; timeout 600s ; }\n");
        assertThat(r.rules().get(endpointChain)).containsExactly(
                "update @affinity-" + name + " { ip saddr }",
                "meta l4proto tcp dnat to 10.42.0.3:80");
        String service = only(chains(r, "service"));
        assertThat(r.elements("service-ips")).containsExactly("10.43.0.45 . tcp . 80 : goto " + service);
        assertThat(r.rules().get(service)).containsExactly(
                "ip saddr @affinity-" + name + " goto " + endpointChain,
                "goto " + endpointChain);
    }

    @Test
    void internalTrafficPolicyLocalUsesOnlyThisNodesEndpoints() {
        Service svc = service("ns1", "loc", "10.43.0.47", 80, 80).editSpec().withInternalTrafficPolicy("Local")
                .endSpec().build();
        NftRuleset r = build(List.of(svc), List.of(slice("ns1", "loc", "l-1", 80, ready("10.42.0.5", NODE),
                ready("10.42.1.5", "node-b"))));
        assertThat(r.elements("service-ips")).containsExactly("10.43.0.47 . tcp . 80 : goto select-1");
        assertThat(r.elements("endpoints-1")).containsExactly("10.43.0.47 . tcp . 80 . 0 : 10.42.0.5 . 80");

        // endpoints only on other nodes: dropped, not rejected (the service exists, just not here)
        NftRuleset elsewhere = build(List.of(svc), List.of(slice("ns1", "loc", "l-1", 80, ready("10.42.1.5", "node-b"))));
        assertThat(elsewhere.elements("no-endpoint-services")).containsExactly("10.43.0.47 . tcp . 80 : drop");
    }

    @Test
    void externalTrafficPolicyLocalKeepsTheSourceAndShortCircuitsPodsAndTheNode() {
        Service svc = service("ns2", "lb", "10.43.0.42", 80, 80).editSpec().withType("NodePort")
                .withExternalTrafficPolicy("Local").withExternalIPs("192.168.99.22").editFirstPort().withNodePort(30001)
                .endPort().endSpec().build();
        NftRuleset r = build(List.of(svc), List.of(slice("ns2", "lb", "lb-1", 80, ready("10.42.0.5", NODE),
                ready("10.42.1.5", "node-b"))));
        String external = only(chains(r, "external"));
        assertThat(r.rules().get(external)).containsExactly(
                "ip saddr 10.42.0.0/16 goto select-2 comment \"short-circuit pod traffic\"",
                "fib saddr type local jump mark-for-masquerade comment \"masquerade local traffic\"",
                "fib saddr type local goto select-2 comment \"short-circuit local traffic\"",
                "goto select-local-1");
        assertThat(r.elements("service-ips")).containsExactlyInAnyOrder("10.43.0.42 . tcp . 80 : goto select-2",
                "192.168.99.22 . tcp . 80 : goto " + external);
        assertThat(r.elements("service-nodeports")).containsExactly("tcp . 30001 : goto " + external);
        // the external address and the NodePort lead to all endpoints (pods, the node) or to the local one
        assertThat(r.elements("endpoints-2")).containsExactlyInAnyOrder(
                "10.43.0.42 . tcp . 80 . 0 : 10.42.0.5 . 80", "10.43.0.42 . tcp . 80 . 1 : 10.42.1.5 . 80",
                "192.168.99.22 . tcp . 80 . 0 : 10.42.0.5 . 80", "192.168.99.22 . tcp . 80 . 1 : 10.42.1.5 . 80");
        assertThat(r.elements("nodeport-endpoints-2")).containsExactly(
                "tcp . 30001 . 0 : 10.42.0.5 . 80", "tcp . 30001 . 1 : 10.42.1.5 . 80");
        assertThat(r.elements("local-endpoints-1")).containsExactly("192.168.99.22 . tcp . 80 . 0 : 10.42.0.5 . 80");
        assertThat(r.elements("local-nodeport-endpoints-1")).containsExactly("tcp . 30001 . 0 : 10.42.0.5 . 80");

        NftRuleset noLocal = build(List.of(svc), List.of(slice("ns2", "lb", "lb-1", 80, ready("10.42.1.5", "node-b"))));
        assertThat(noLocal.elements("no-endpoint-nodeports")).containsExactly("tcp . 30001 : drop");
        assertThat(noLocal.elements("no-endpoint-services")).containsExactly("192.168.99.22 . tcp . 80 : drop");
    }

    @Test
    void aChangedEndpointRewritesOnlyItsService() {
        Service web = service("ns1", "web", "10.43.0.41", 80, 80).build();
        Service other = service("ns1", "other", "10.43.0.42", 80, 80).build();
        EndpointSlice otherSlice = slice("ns1", "other", "o-1", 80, ready("10.42.0.9", NODE));
        NftRuleset before = build(List.of(web, other), List.of(otherSlice,
                slice("ns1", "web", "w-1", 80, ready("10.42.0.5", NODE), ready("10.42.0.6", NODE))));
        NftRuleset after = build(List.of(web, other), List.of(otherSlice,
                slice("ns1", "web", "w-1", 80, ready("10.42.0.5", NODE))));

        // two endpoints became one: the service's elements move to the one-endpoint map (which "other" already
        // uses), and the two-endpoint chain and maps, now unused, go
        assertThat(after.transactionFrom(before).lines().toList()).containsExactly(
                "delete element ip navis-proxy hairpin-endpoints { 10.42.0.6 . 10.42.0.6 }",
                "delete element ip navis-proxy service-ips { 10.43.0.41 . tcp . 80 }",
                "add element ip navis-proxy service-ips { 10.43.0.41 . tcp . 80 : goto select-1 }",
                "add element ip navis-proxy endpoints-1 { 10.43.0.41 . tcp . 80 . 0 : 10.42.0.5 . 80 }",
                "flush chain ip navis-proxy select-2",
                "delete chain ip navis-proxy select-2",
                "delete map ip navis-proxy endpoints-2",
                "delete map ip navis-proxy nodeport-endpoints-2");
        assertThat(after.transactionFrom(after)).isEmpty();

        // the last endpoint goes: the service moves from service-ips to the reject map
        NftRuleset none = build(List.of(web, other), List.of(otherSlice));
        String tx2 = none.transactionFrom(after);
        assertThat(tx2.lines().toList()).containsExactly(
                "delete element ip navis-proxy hairpin-endpoints { 10.42.0.5 . 10.42.0.5 }",
                "delete element ip navis-proxy service-ips { 10.43.0.41 . tcp . 80 }",
                "delete element ip navis-proxy endpoints-1 { 10.43.0.41 . tcp . 80 . 0 }",
                "add element ip navis-proxy no-endpoint-services { 10.43.0.41 . tcp . 80 : goto reject-chain }");
        assertThat(tx2).doesNotContain("/other/");
        // every stale chain is flushed before the first is deleted (they refer to each other)
        List<String> lines = tx2.lines().toList();
        int lastFlush = 0;
        int firstDelete = Integer.MAX_VALUE;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("flush chain")) {
                lastFlush = i;
            } else if (lines.get(i).startsWith("delete chain")) {
                firstDelete = Math.min(firstDelete, i);
            }
        }
        assertThat(lastFlush).isLessThan(firstDelete);
    }

    @Test
    void aPartialSyncAmongManyServicesTouchesOnlyTheChangedService() {
        List<Service> services = new java.util.ArrayList<>();
        List<EndpointSlice> slices = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            services.add(service("ns1", "svc-" + i, "10.43.1." + i, 80, 80).build());
            slices.add(slice("ns1", "svc-" + i, "s-" + i, 80, ready("10.42.1." + i, NODE), ready("10.42.2." + i, NODE)));
        }
        NftRuleset before = build(services, slices);
        List<EndpointSlice> changed = new java.util.ArrayList<>(slices);
        changed.set(17, slice("ns1", "svc-17", "s-17", 80, ready("10.42.1.17", NODE), ready("10.42.3.17", NODE)));
        NftRuleset after = build(services, changed);

        // the changed endpoint is one element replaced: no chain is touched
        assertThat(after.transactionFrom(before).lines().toList()).containsExactly(
                "delete element ip navis-proxy hairpin-endpoints { 10.42.2.17 . 10.42.2.17 }",
                "delete element ip navis-proxy endpoints-2 { 10.43.1.17 . tcp . 80 . 1 }",
                "add element ip navis-proxy hairpin-endpoints { 10.42.3.17 . 10.42.3.17 }",
                "add element ip navis-proxy endpoints-2 { 10.43.1.17 . tcp . 80 . 1 : 10.42.3.17 . 80 }");
    }

    @Test
    void aDeletedServiceLosesItsChainsAndMapElementsAndNothingElse() {
        Service web = service("ns1", "web", "10.43.0.41", 80, 80).editSpec().withType("NodePort").editFirstPort()
                .withNodePort(30041).endPort().endSpec().build();
        Service other = service("ns1", "other", "10.43.0.42", 80, 80).build();
        // one pod backs both services: its hairpin element stays while "other" uses it
        EndpointSlice webSlice = slice("ns1", "web", "w-1", 80, ready("10.42.0.5", NODE), ready("10.42.0.9", NODE));
        EndpointSlice otherSlice = slice("ns1", "other", "o-1", 80, ready("10.42.0.9", NODE));
        NftRuleset before = build(List.of(web, other), List.of(webSlice, otherSlice));
        NftRuleset after = build(List.of(other), List.of(otherSlice));

        String external = only(chains(before, "external"));
        assertThat(after.transactionFrom(before).lines().toList()).containsExactly(
                "delete element ip navis-proxy cluster-ips { 10.43.0.41 }",
                "delete element ip navis-proxy hairpin-endpoints { 10.42.0.5 . 10.42.0.5 }",
                "delete element ip navis-proxy service-ips { 10.43.0.41 . tcp . 80 }",
                "delete element ip navis-proxy service-nodeports { tcp . 30041 }",
                "flush chain ip navis-proxy select-2",
                "flush chain ip navis-proxy " + external,
                "delete chain ip navis-proxy select-2",
                "delete chain ip navis-proxy " + external,
                "delete map ip navis-proxy endpoints-2",
                "delete map ip navis-proxy nodeport-endpoints-2");
        assertThat(after.elements("hairpin-endpoints")).containsExactly("10.42.0.9 . 10.42.0.9");
        assertThat(after.rules().keySet()).noneMatch(name -> name.contains("/web/"));
    }

    @Test
    void theFullTransactionDeclaresTheTableAsOneBlockAndBatchesElements() {
        List<Service> services = new java.util.ArrayList<>();
        List<EndpointSlice> slices = new java.util.ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            String ip = "10.43." + (i / 250) + "." + (i % 250 + 1);
            services.add(service("ns1", "svc-" + i, ip, 80, 80).build());
            slices.add(slice("ns1", "svc-" + i, "s-" + i, 80, ready("10.42." + (i / 250) + "." + (i % 250 + 1), NODE)));
        }
        String tx = build(services, slices).fullTransaction();
        List<String> lines = tx.lines().toList();
        assertThat(lines.subList(0, 4)).containsExactly("add table ip navis-proxy", "delete table ip navis-proxy",
                "table ip navis-proxy {", "\tcomment \"rules for navis-proxy\"");
        assertThat(lines).noneMatch(l -> l.startsWith("add rule") || l.startsWith("add chain"));
        // 1,200 elements: two statements per set, the first with a thousand
        List<String> clusterIps = lines.stream().filter(l -> l.startsWith("add element ip navis-proxy cluster-ips "))
                .toList();
        assertThat(clusterIps).hasSize(2);
        assertThat(clusterIps.getFirst().split(", ")).hasSize(1000);
        assertThat(lines.stream().filter(l -> l.startsWith("add element ip navis-proxy service-ips ")).count())
                .isEqualTo(2);
    }

    @Test
    void headlessExternalNameAndOtherProxiesServicesAreSkipped() {
        Service headless = service("ns1", "hl", "None", 80, 80).build();
        Service external = service("ns1", "ext", "10.43.0.60", 80, 80).editSpec().withType("ExternalName")
                .withExternalName("example.com").endSpec().build();
        Service otherProxy = service("ns1", "op", "10.43.0.61", 80, 80).editMetadata()
                .addToLabels(ServiceTable.SERVICE_PROXY_NAME_LABEL, "foo").endMetadata().build();
        NftRuleset r = build(List.of(headless, external, otherProxy), List.of());
        assertThat(r.elements("cluster-ips")).isEmpty();
    }
}

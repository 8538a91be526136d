package dev.navis.apiserver.rest.alloc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.rest.ApiException;
import dev.navis.apiserver.rest.Json;
import dev.navis.storage.mvcc.MvccStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Two allocators on one store stand for two API servers on one etcd. */
class ServiceAllocatorTest {

    private static final ResourceDefinition SERVICES = new ResourceDefinition("", "v1", "Service", "services", "service",
            true, List.of("svc"), List.of("all"), Set.of("status"), new dev.navis.api.ResourceStrategy() {
            });

    private final MvccStore store = MvccStore.inMemory();
    private final ServiceAllocator serverA = new ServiceAllocator(SERVICES, store);
    private final ServiceAllocator serverB = new ServiceAllocator(SERVICES, store);

    @AfterEach
    void close() {
        store.close();
    }

    private static ObjectNode service(String name, String type) {
        ObjectNode s = Json.object();
        Json.meta(s).put("name", name);
        Json.meta(s).put("namespace", "default");
        ObjectNode spec = s.putObject("spec");
        spec.put("type", type);
        spec.putArray("ports").addObject().put("port", 80).put("protocol", "TCP");
        return s;
    }

    private static String ip(ObjectNode svc) {
        return svc.path("spec").path("clusterIP").asString();
    }

    private static int nodePort(ObjectNode svc) {
        return svc.path("spec").path("ports").get(0).path("nodePort").asInt();
    }

    @Test
    void twoServersAllocatingAtOnceNeverHandOutOneValueTwice() throws Exception {
        int perServer = 300;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ObjectNode>> results = new ArrayList<>();
            for (int i = 0; i < perServer; i++) {
                for (ServiceAllocator server : List.of(serverA, serverB)) {
                    ObjectNode svc = service("s" + results.size(), "NodePort");
                    results.add(pool.submit((Callable<ObjectNode>) () -> {
                        server.beforeCreate(svc, false);
                        server.afterCreate(svc);
                        return svc;
                    }));
                }
            }
            Set<String> ips = new HashSet<>();
            Set<Integer> ports = new HashSet<>();
            for (Future<ObjectNode> f : results) {
                ObjectNode svc = f.get();
                ips.add(ip(svc));
                ports.add(nodePort(svc));
            }
            assertThat(ips).hasSize(2 * perServer);
            assertThat(ports).hasSize(2 * perServer);
            assertThat(store.count(ServiceAllocator.IP_PREFIX)).isEqualTo(2 * perServer);
            assertThat(store.count(ServiceAllocator.PORT_PREFIX)).isEqualTo(2 * perServer);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anAddressClaimedThroughOneServerIsRefusedByTheOther() {
        ObjectNode a = service("a", "ClusterIP");
        a.withObjectProperty("spec").put("clusterIP", "10.43.0.10");
        serverA.beforeCreate(a, false);
        serverA.afterCreate(a);

        ObjectNode b = service("b", "ClusterIP");
        b.withObjectProperty("spec").put("clusterIP", "10.43.0.10");
        assertThatThrownBy(() -> serverB.beforeCreate(b, false)).isInstanceOf(ApiException.class)
                .hasMessageContaining("provided IP is already allocated");

        ObjectNode claim = Json.parseStored(store.get(ServiceAllocator.IP_PREFIX + "10.43.0.10").value());
        assertThat(claim.path("kind").asString()).isEqualTo("IPAddress");
        assertThat(claim.path("spec").path("parentRef").path("name").asString()).isEqualTo("a");

        // deleted through server A, the address is free for server B
        serverA.afterDelete(a);
        ObjectNode again = service("b", "ClusterIP");
        again.withObjectProperty("spec").put("clusterIP", "10.43.0.10");
        serverB.beforeCreate(again, false);
        serverB.afterCreate(again);
        assertThat(ip(again)).isEqualTo("10.43.0.10");
    }

    @Test
    void aFailedCreateReleasesItsClaimsAndADryRunClaimsNothing() {
        ObjectNode failed = service("failed", "NodePort");
        serverA.beforeCreate(failed, false);
        assertThat(store.get(ServiceAllocator.IP_PREFIX + ip(failed))).isNotNull();
        serverA.createFailed(failed);
        assertThat(store.count(ServiceAllocator.IP_PREFIX)).isZero();
        assertThat(store.count(ServiceAllocator.PORT_PREFIX)).isZero();

        ObjectNode dry = service("dry", "NodePort");
        serverA.beforeCreate(dry, true);
        assertThat(ip(dry)).startsWith("10.43.");
        serverA.createFailed(dry);
        assertThat(store.count(ServiceAllocator.IP_PREFIX)).isZero();
        assertThat(store.count(ServiceAllocator.PORT_PREFIX)).isZero();
    }

    @Test
    void loadClaimsWhatServicesStoredBeforeClaimsExistedHold() {
        ObjectNode old = service("old", "NodePort");
        old.withObjectProperty("spec").put("clusterIP", "10.43.7.7");
        old.withObjectProperty("spec").withArrayProperty("clusterIPs").add("10.43.7.7");
        ((ObjectNode) old.path("spec").path("ports").get(0)).put("nodePort", 30123);
        serverA.load(List.of(old));
        assertThat(store.get(ServiceAllocator.IP_PREFIX + "10.43.7.7")).isNotNull();
        assertThat(store.get(ServiceAllocator.PORT_PREFIX + "30123")).isNotNull();

        ObjectNode clash = service("clash", "NodePort");
        ((ObjectNode) clash.path("spec").path("ports").get(0)).put("nodePort", 30123);
        assertThatThrownBy(() -> serverB.beforeCreate(clash, false)).isInstanceOf(ApiException.class)
                .hasMessageContaining("provided port is already allocated");
        assertThat(store.count(ServiceAllocator.IP_PREFIX)).as("the clash released its IP").isEqualTo(1);
    }
}

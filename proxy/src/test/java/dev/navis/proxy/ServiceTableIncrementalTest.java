package dev.navis.proxy;

import static dev.navis.proxy.TestObjects.ready;
import static dev.navis.proxy.TestObjects.service;
import static dev.navis.proxy.TestObjects.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The proxier's table builder recomputes only Services whose object or slices changed version. */
class ServiceTableIncrementalTest {

    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T version(T object, String rv) {
        object.getMetadata().setResourceVersion(rv);
        return object;
    }

    @Test
    void unchangedServicesKeepTheirPortsChangedOnesAreRecomputed() {
        ServiceTable.Incremental table = new ServiceTable.Incremental("node-a");
        Service web = version(service("ns1", "web", "10.43.0.41", 80, 80).build(), "1");
        Service db = version(service("ns1", "db", "10.43.0.42", 5432, 5432).build(), "2");
        EndpointSlice webSlice = version(slice("ns1", "web", "w-1", 80, ready("10.42.0.5", "node-a")), "3");
        EndpointSlice dbSlice = version(slice("ns1", "db", "d-1", 5432, ready("10.42.0.6", "node-b")), "4");

        List<ServicePort> first = table.build(List.of(web, db), List.of(webSlice, dbSlice));
        assertThat(first).extracting(ServicePort::name).containsExactly("db", "web");
        assertThat(first).isEqualTo(ServiceTable.build(List.of(web, db), List.of(webSlice, dbSlice), "node-a"));

        EndpointSlice webSlice2 = version(slice("ns1", "web", "w-1", 80, ready("10.42.0.7", "node-a")), "5");
        List<ServicePort> second = table.build(List.of(web, db), List.of(webSlice2, dbSlice));
        assertThat(second.get(0)).isSameAs(first.get(0));
        assertThat(second.get(1).endpoints()).extracting(ProxyEndpoint::ip).containsExactly("10.42.0.7");

        // a new version of the Service itself, a slice without a version: recomputed as well
        Service db2 = version(service("ns1", "db", "10.43.0.42", 5433, 5432).build(), "6");
        List<ServicePort> third = table.build(List.of(web, db2), List.of(webSlice2, dbSlice));
        assertThat(third.get(0).port()).isEqualTo(5433);
        EndpointSlice unversioned = slice("ns1", "web", "w-1", 80, ready("10.42.0.8", "node-a"));
        assertThat(table.build(List.of(web, db2), List.of(unversioned, dbSlice)).get(1).endpoints())
                .extracting(ProxyEndpoint::ip).containsExactly("10.42.0.8");
        // a deleted Service is gone
        assertThat(table.build(List.of(web), List.of(unversioned, dbSlice))).extracting(ServicePort::name)
                .containsExactly("web");
    }
}

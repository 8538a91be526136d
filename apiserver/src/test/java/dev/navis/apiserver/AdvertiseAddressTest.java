package dev.navis.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdvertiseAddressTest {
    @Test
    void specificBindAddressIsAdvertisedAsIs() {
        assertThat(AdvertiseAddress.choose("192.0.2.55").getHostAddress()).isEqualTo("192.0.2.55");
    }

    @Test
    void loopbackOrUnspecifiedBindGivesTheHostsAddress() {
        assertThat(AdvertiseAddress.choose("127.0.0.1")).isEqualTo(AdvertiseAddress.hostAddress());
        assertThat(AdvertiseAddress.choose("0.0.0.0")).isEqualTo(AdvertiseAddress.hostAddress());
    }
}

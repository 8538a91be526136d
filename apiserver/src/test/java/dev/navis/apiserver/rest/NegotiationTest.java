package dev.navis.apiserver.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NegotiationTest {

    @Test
    void aRepeatedAcceptHeaderGetsTheSameAnswer() {
        for (int i = 0; i < 3; i++) {
            assertThat(Negotiation.of("application/json, */*", false).output()).isEqualTo(Negotiation.Output.JSON);
            assertThat(Negotiation.of("application/json;as=Table;v=v1;g=meta.k8s.io,application/json", false))
                    .isEqualTo(new Negotiation(Negotiation.Output.TABLE, Negotiation.TABLE));
            assertThat(Negotiation.of("application/yaml", false).output()).isEqualTo(Negotiation.Output.YAML);
            assertThat(Negotiation.of(null, false).output()).isEqualTo(Negotiation.Output.JSON);
        }
    }

    @Test
    void discoveryTypesAreAnsweredOnlyWhereAllowedEvenWhenRemembered() {
        String accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
        for (int i = 0; i < 2; i++) {
            assertThat(Negotiation.of(accept, true).output()).isEqualTo(Negotiation.Output.DISCOVERY_V2);
            assertThat(Negotiation.of(accept, false).output()).isEqualTo(Negotiation.Output.JSON);
        }
    }

    @Test
    void anUnacceptableHeaderIsRefusedEveryTime() {
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> Negotiation.of("text/html", false)).isInstanceOf(ApiException.class);
        }
    }
}

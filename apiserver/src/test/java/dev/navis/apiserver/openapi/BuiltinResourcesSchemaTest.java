package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.ResourceDefinition;
import dev.navis.apimachinery.registry.BuiltinResources;
import org.junit.jupiter.api.Test;

/** Every resource of the registry has upstream's schema (none falls back to the permissive one). */
class BuiltinResourcesSchemaTest {

    @Test
    void everyRegisteredKindAndItsListHaveAnUpstreamSchema() {
        UnknownFieldChecker checker = new UnknownFieldChecker();
        for (ResourceDefinition r : BuiltinResources.all()) {
            assertThat(checker.hasSchema(r.group(), r.version(), r.kind())).as(r.groupResource()).isTrue();
            assertThat(BuiltinSchemas.get().nameOf(r.group(), r.version(), r.kind() + "List"))
                    .as(r.groupResource()).isPresent();
        }
    }
}

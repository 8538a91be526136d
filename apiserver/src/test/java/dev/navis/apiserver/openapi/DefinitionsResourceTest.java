package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The committed definitions resource must be what the generator makes from its sources today. Regenerate with
 * {@code mvn -pl apiserver -am test -Dtest=DefinitionsResourceTest -Dnavis.openapi.regenerate=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class DefinitionsResourceTest {

    private static final Path RESOURCE =
            Path.of("src/main/resources/dev/navis/apiserver/openapi", BuiltinSchemas.RESOURCE);

    @Test
    void committedResourceMatchesGenerator() throws Exception {
        DefinitionsGenerator generator = new DefinitionsGenerator();
        if (Boolean.getBoolean("navis.openapi.regenerate")) {
            generator.writeTo(RESOURCE);
        }
        ObjectNode generated = generator.generate();
        try (var in = java.nio.file.Files.newInputStream(RESOURCE)) {
            assertThat(BuiltinSchemas.read(in)).isEqualTo(generated);
        }
    }
}

package dev.navis.openapigen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API server's committed definitions resource must be what the generator makes from its sources today.
 * Regenerate with {@code mvn -pl openapi-gen test -Dnavis.openapi.regenerate=true}.
 */
class DefinitionsResourceTest {

    /** The resource the API server ships (module directories are siblings). */
    static final Path RESOURCE =
            Path.of("../apiserver/src/main/resources/dev/navis/apiserver/openapi/definitions.json.gz");

    @Test
    void committedResourceMatchesGenerator() throws Exception {
        DefinitionsGenerator generator = new DefinitionsGenerator();
        if (Boolean.getBoolean("navis.openapi.regenerate")) {
            generator.writeTo(RESOURCE);
        }
        JsonNode generated = generator.generate();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(RESOURCE))) {
            assertThat(JsonMapper.shared().readTree(in)).isEqualTo(generated);
        }
    }
}

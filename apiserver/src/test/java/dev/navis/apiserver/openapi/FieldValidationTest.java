package dev.navis.apiserver.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FieldValidationTest {

    @Test
    void parsesUpstreamDirectivesWithWarnAsDefault() {
        assertThat(FieldValidation.parse(null)).contains(FieldValidation.WARN);
        assertThat(FieldValidation.parse("")).contains(FieldValidation.WARN);
        assertThat(FieldValidation.parse("Strict")).contains(FieldValidation.STRICT);
        assertThat(FieldValidation.parse("Ignore")).contains(FieldValidation.IGNORE);
        assertThat(FieldValidation.parse("Warn")).contains(FieldValidation.WARN);
        assertThat(FieldValidation.parse("strict")).isEmpty();
        assertThat(FieldValidation.parse("Bogus")).isEmpty();
    }
}

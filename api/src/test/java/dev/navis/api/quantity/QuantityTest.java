package dev.navis.api.quantity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantityTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "100m, 100m",
        "0.1, 100m",
        "1, 1",
        "1000, 1k",
        "1500, 1500",
        "1.5, 1500m",
        "1Gi, 1Gi",
        "1024Mi, 1Gi",
        "1536Mi, 1536Mi",
        "1.5Gi, 1536Mi",
        "1024, 1024",
        "1Ki, 1Ki",
        "512, 512",
        "0.5Ki, 512",
        "1e3, 1e3",
        "1E6, 1e6",
        "1.5e3, 1500",
        "12M, 12M",
        "500k, 500k",
        "1000k, 1M",
        "0, 0",
        "0m, 0",
        "-100m, -100m",
        "+5, 5",
        "1n, 1n",
        "0.0000000001, 1n",
        "1u, 1u",
        "100Mi, 100Mi",
        "2T, 2T",
        ".5, 500m",
    })
    void canonicalForm(String input, String expected) {
        assertThat(Quantity.parse(input).toString()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "1.2.3", "1Gb", "1 Gi", "m", "1Mii", "--1"})
    void rejectsMalformed(String input) {
        assertThatThrownBy(() -> Quantity.parse(input)).isInstanceOf(QuantityFormatException.class)
                .message().isIn(Quantity.FORMAT_ERROR, Quantity.SUFFIX_ERROR);
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({"100m, 0.1, 0", "1Gi, 1G, 1", "500m, 1, -1", "1k, 1000, 0", "2Ki, 2048, 0"})
    void compares(String a, String b, int expected) {
        assertThat(Integer.signum(Quantity.parse(a).compareTo(Quantity.parse(b)))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}m")
    @CsvSource({"1, 1000", "100m, 100", "1n, 1", "2.5, 2500"})
    void milliValue(String q, long expected) {
        assertThat(Quantity.parse(q).milliValue()).isEqualTo(expected);
    }
}

package dev.navis.apimachinery.validation;

import dev.navis.api.validation.NameValidation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.api.FieldError;
import dev.navis.api.json.Nodes;
import dev.navis.api.validation.NameValidation.NameRule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NameValidationTest {

    @ParameterizedTest(name = "{0} {1} -> valid={2}")
    @CsvSource({
        "DNS_SUBDOMAIN, example.com, true",
        "DNS_SUBDOMAIN, my-app.v1, true",
        "DNS_SUBDOMAIN, My-App, false",
        "DNS_SUBDOMAIN, -x, false",
        "DNS_LABEL, my-ns, true",
        "DNS_LABEL, my.ns, false",
        "DNS1035_LABEL, web, true",
        "DNS1035_LABEL, 1web, false",
        "PATH_SEGMENT, system:controller:x, true",
        "PATH_SEGMENT, a/b, false",
        "PATH_SEGMENT, .., false",
    })
    void namesFollowTheKindsRule(NameRule rule, String name, boolean valid) {
        assertThat(rule.check(name, false).isEmpty()).isEqualTo(valid);
    }

    @Test
    void subdomainMessageIsUpstreams() {
        assertThat(NameValidation.dns1123Subdomain("Bad_Name")).containsExactly(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
                        + "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        assertThat(NameValidation.dns1123Label("a.b")).containsExactly(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
                        + "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                        + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        assertThat(NameValidation.dns1123Label("x".repeat(64))).first().isEqualTo("must be no more than 63 characters");
    }

    @Test
    void generateNameMasksTheTrailingDash() {
        assertThat(NameRule.DNS_SUBDOMAIN.check("web-", true)).isEmpty();
        assertThat(NameRule.DNS_SUBDOMAIN.check("web-", false)).isNotEmpty();
    }

    @Test
    void qualifiedNamesAndLabelValues() {
        assertThat(NameValidation.qualifiedName("example.com/app")).isEmpty();
        assertThat(NameValidation.qualifiedName("/app")).containsExactly("prefix part must be non-empty");
        assertThat(NameValidation.qualifiedName("a/b/c")).hasSize(1).first().asString()
                .startsWith("a qualified name must consist of alphanumeric characters");
        assertThat(NameValidation.labelValue("")).isEmpty();
        assertThat(NameValidation.labelValue("-x")).containsExactly("a valid label must be an empty string or consist "
                + "of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                + "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                + "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
        assertThat(NameValidation.configMapKey("..x")).contains("must not start with '..'");
        assertThat(NameValidation.portName("http")).isEmpty();
        assertThat(NameValidation.portName("80")).contains("must contain at least one letter (a-z)");
    }

    @Test
    void objectMetaErrorsRenderLikeUpstream() {
        List<FieldError> errs = ObjectMetaValidation.validate(Nodes.parse("""
                {"metadata":{"name":"Bad","labels":{"app":"-x"},"annotations":{"a b":"c"}}}"""), true,
                NameRule.DNS_SUBDOMAIN);
        assertThat(errs).extracting(FieldError::toString).containsExactly(
                "metadata.name: Invalid value: \"Bad\": " + NameValidation.dns1123Subdomain("Bad").get(0),
                "metadata.namespace: Required value",
                "metadata.labels: Invalid value: \"-x\": " + NameValidation.labelValue("-x").get(0),
                "metadata.annotations: Invalid value: \"a b\": " + NameValidation.qualifiedName("a b").get(0));
        assertThat(ObjectMetaValidation.validate(Nodes.parse("{\"metadata\":{}}"), false, NameRule.DNS_LABEL))
                .extracting(FieldError::toString).containsExactly("metadata.name: Required value: name or generateName is required");
        assertThat(ObjectMetaValidation.validate(Nodes.parse("{\"metadata\":{\"name\":\"n\",\"namespace\":\"x\"}}"), false,
                NameRule.DNS_LABEL)).extracting(FieldError::toString)
                .containsExactly("metadata.namespace: Forbidden: not allowed on this type");
    }

    @Test
    void metadataUpdateKeepsIdentity() {
        var old = Nodes.parse("{\"metadata\":{\"name\":\"a\",\"namespace\":\"d\",\"uid\":\"1\",\"generation\":2}}");
        var changed = Nodes.parse("{\"metadata\":{\"name\":\"b\",\"namespace\":\"d\",\"uid\":\"2\",\"generation\":1}}");
        assertThat(ObjectMetaValidation.validateUpdate(changed, old)).extracting(FieldError::toString).containsExactly(
                "metadata.generation: Invalid value: 1: must not be decremented",
                "metadata.name: Invalid value: \"b\": field is immutable",
                "metadata.uid: Invalid value: \"2\": field is immutable");
    }

    /** The scanners behind NameValidation accept exactly what upstream's regular expressions accept. */
    @Test
    void checksAgreeWithUpstreamsRegularExpressions() {
        java.util.Random random = new java.util.Random(42);
        String alphabet = "az09AZ-_.%/\n";
        java.util.regex.Pattern label = java.util.regex.Pattern.compile(NameValidation.DNS1123_LABEL_FMT);
        java.util.regex.Pattern subdomain = java.util.regex.Pattern.compile(NameValidation.DNS1123_SUBDOMAIN_FMT);
        java.util.regex.Pattern label1035 = java.util.regex.Pattern.compile(NameValidation.DNS1035_LABEL_FMT);
        java.util.regex.Pattern qualified = java.util.regex.Pattern.compile(NameValidation.QUALIFIED_NAME_FMT);
        java.util.regex.Pattern labelValue = java.util.regex.Pattern.compile(NameValidation.LABEL_VALUE_FMT);
        java.util.regex.Pattern configKey = java.util.regex.Pattern.compile(NameValidation.CONFIG_KEY_FMT);
        java.util.regex.Pattern envVar = java.util.regex.Pattern.compile(NameValidation.ENV_VAR_FMT);
        java.util.regex.Pattern percent = java.util.regex.Pattern.compile(NameValidation.PERCENT_FMT);
        for (int n = 0; n < 200_000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(6);
            for (int i = 0; i < len; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String v = sb.toString();
            assertThat(NameValidation.dns1123Label(v).isEmpty()).as(v).isEqualTo(label.matcher(v).matches());
            assertThat(NameValidation.dns1123Subdomain(v).isEmpty()).as(v).isEqualTo(subdomain.matcher(v).matches());
            assertThat(NameValidation.dns1035Label(v).isEmpty()).as(v).isEqualTo(label1035.matcher(v).matches());
            assertThat(NameValidation.labelValue(v).isEmpty()).as(v).isEqualTo(labelValue.matcher(v).matches());
            assertThat(NameValidation.envVarName(v).isEmpty()).as(v).isEqualTo(envVar.matcher(v).matches());
            assertThat(NameValidation.isPercent(v)).as(v).isEqualTo(percent.matcher(v).matches());
            assertThat(NameValidation.configMapKey(v).isEmpty()).as(v)
                    .isEqualTo(configKey.matcher(v).matches() && !v.equals(".") && !v.startsWith(".."));
            boolean qualifiedOk = v.indexOf('/') < 0 ? qualified.matcher(v).matches()
                    : v.indexOf('/') == v.lastIndexOf('/') && subdomain.matcher(v.substring(0, v.indexOf('/'))).matches()
                            && qualified.matcher(v.substring(v.indexOf('/') + 1)).matches();
            assertThat(NameValidation.qualifiedName(v).isEmpty()).as(v).isEqualTo(qualifiedOk);
            boolean portOk = v.matches("[-a-z0-9]+") && v.matches(".*[a-z].*") && !v.contains("--")
                    && !v.startsWith("-") && !v.endsWith("-");
            assertThat(NameValidation.portName(v).isEmpty()).as(v).isEqualTo(portOk);
        }
    }
}

package dev.navis.apimachinery.strategy.certificates;

import dev.navis.api.FieldError;
import dev.navis.api.TableColumn;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.printers.Cells;
import dev.navis.apimachinery.strategy.KindStrategy;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * CertificateSigningRequests (certificates.k8s.io/v1, cluster-scoped), as upstream's validation and printer:
 * spec.request must be a PEM CERTIFICATE REQUEST, spec.signerName a "domain/path" name (not the legacy one),
 * spec.usages known and not repeated, spec.expirationSeconds at least 600; Approved and Denied conditions exclude
 * each other and must be True; status.certificate, when set, is PEM CERTIFICATE blocks. Who asked (spec.username,
 * groups, uid, extra) is set by the API server from the authenticated user, not here.
 */
public final class CertificateSigningRequestStrategy extends KindStrategy {

    private static final List<TableColumn> COLUMNS = List.of(TableColumn.NAME, TableColumn.AGE,
            TableColumn.of("SignerName", "string", "Requested signer for the request."),
            TableColumn.of("Requestor", "string", "Base64-encoded PKCS#10 CSR data"),
            TableColumn.of("RequestedDuration", "string", "expirationSeconds is the requested duration of validity "
                    + "of the issued certificate."),
            TableColumn.of("Condition", "string", "Conditions applied to the request, such as approval or denial."));

    /** certificates.k8s.io/v1's KeyUsage values. */
    static final Set<String> USAGES = Set.of("signing", "digital signature", "content commitment",
            "key encipherment", "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only",
            "decipher only", "any", "server auth", "client auth", "code signing", "email protection", "s/mime",
            "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc",
            "netscape sgc");
    private static final Pattern SIGNER_NAME = Pattern.compile(
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+/[^/\\s]+(/[^/\\s]+)*$");
    private static final String LEGACY_SIGNER = "kubernetes.io/legacy-unknown";
    private static final long MIN_EXPIRATION_SECONDS = 600;

    public CertificateSigningRequestStrategy() {
        super(false, NameRule.DNS_SUBDOMAIN);
    }

    @Override
    protected List<FieldError> validateSpec(ObjectNode o) {
        List<FieldError> errs = new ArrayList<>();
        JsonNode spec = o.path("spec");
        String request = spec.path("request").asString("");
        if (request.isEmpty()) {
            errs.add(FieldError.required("spec.request", ""));
        } else {
            String problem = requestProblem(request);
            if (problem != null) {
                errs.add(FieldError.invalid("spec.request", "[]byte{...}", problem));
            }
        }
        String signer = spec.path("signerName").asString("");
        if (signer.isEmpty()) {
            errs.add(FieldError.required("spec.signerName", ""));
        } else if (signer.equals(LEGACY_SIGNER)) {
            errs.add(FieldError.invalid("spec.signerName", signer, "the legacy signerName is not allowed via this API version"));
        } else if (!SIGNER_NAME.matcher(signer).matches()) {
            errs.add(FieldError.invalid("spec.signerName", signer,
                    "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
        }
        JsonNode usages = spec.path("usages");
        if (!usages.isArray() || usages.isEmpty()) {
            errs.add(FieldError.required("spec.usages", ""));
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < usages.size(); i++) {
                String usage = usages.get(i).asString("");
                String field = "spec.usages[" + i + "]";
                if (!USAGES.contains(usage)) {
                    errs.add(FieldError.notSupported(field, usage, new TreeSet<>(USAGES)));
                } else if (!seen.add(usage)) {
                    errs.add(FieldError.duplicate(field, usage));
                }
            }
        }
        JsonNode expiration = spec.get("expirationSeconds");
        if (expiration != null && !expiration.isNull() && expiration.asLong(0) < MIN_EXPIRATION_SECONDS) {
            errs.add(FieldError.invalid("spec.expirationSeconds", expiration.asLong(0),
                    "may not specify a duration less than 600 seconds (10 minutes)"));
        }
        errs.addAll(validateStatus(o.path("status")));
        return errs;
    }

    private static List<FieldError> validateStatus(JsonNode status) {
        List<FieldError> errs = new ArrayList<>();
        boolean approved = false;
        boolean denied = false;
        JsonNode conditions = status.path("conditions");
        Set<String> types = new HashSet<>();
        for (int i = 0; i < conditions.size(); i++) {
            JsonNode c = conditions.get(i);
            String field = "status.conditions[" + i + "]";
            String type = c.path("type").asString("");
            if (type.isEmpty()) {
                errs.add(FieldError.required(field + ".type", ""));
                continue;
            }
            String state = c.path("status").asString("");
            if (!List.of("True", "False", "Unknown").contains(state)) {
                errs.add(FieldError.notSupported(field + ".status", state, List.of("False", "True", "Unknown")));
            }
            if (type.equals("Approved") || type.equals("Denied")) {
                if (!types.add(type)) {
                    errs.add(FieldError.duplicate(field + ".type", type));
                }
                if (!state.equals("True")) {
                    errs.add(FieldError.notSupported(field + ".status", state, List.of("True")));
                }
                approved |= type.equals("Approved");
                denied |= type.equals("Denied");
            }
        }
        if (approved && denied) {
            errs.add(FieldError.invalid("status.conditions", "", "Approved and Denied conditions are mutually exclusive"));
        }
        String certificate = status.path("certificate").asString("");
        if (!certificate.isEmpty()) {
            String pem;
            try {
                pem = new String(Base64.getDecoder().decode(certificate), StandardCharsets.US_ASCII);
            } catch (IllegalArgumentException e) {
                pem = "";
            }
            if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
                errs.add(FieldError.invalid("status.certificate", "<certificate data>",
                        "must contain at least one CERTIFICATE PEM block"));
            }
            if (denied) {
                errs.add(FieldError.forbidden("status.certificate", "updates may not set certificate content when the "
                        + "request is denied"));
            }
        }
        return errs;
    }

    /** Why spec.request (base64 of PEM) is not one PKCS#10 request, or null. */
    static String requestProblem(String base64) {
        byte[] pem;
        try {
            pem = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return "PEM block type must be CERTIFICATE REQUEST";
        }
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            return parser.readObject() instanceof PKCS10CertificationRequest ? null
                    : "PEM block type must be CERTIFICATE REQUEST";
        } catch (IOException | RuntimeException e) {
            return "PEM block type must be CERTIFICATE REQUEST";
        }
    }

    @Override
    public List<TableColumn> columns() {
        return COLUMNS;
    }

    @Override
    public List<Object> cells(ObjectNode o, Instant now) {
        JsonNode spec = o.path("spec");
        String signer = spec.path("signerName").asString("");
        JsonNode expiration = spec.get("expirationSeconds");
        String requested = expiration == null || expiration.isNull() ? "<none>"
                : TableColumn.humanDuration(Duration.ofSeconds(expiration.asLong()));
        return List.of(Cells.name(o), TableColumn.age(o, now), signer.isEmpty() ? "<none>" : signer,
                spec.path("username").asString(""), requested, condition(o.path("status")));
    }

    /** Upstream's extractCSRStatus: Denied / Approved / Pending, then ",Failed" and ",Issued". */
    static String condition(JsonNode status) {
        boolean approved = false;
        boolean denied = false;
        boolean failed = false;
        for (JsonNode c : status.path("conditions")) {
            switch (c.path("type").asString("")) {
                case "Approved" -> approved = true;
                case "Denied" -> denied = true;
                case "Failed" -> failed = true;
                default -> {
                }
            }
        }
        StringBuilder s = new StringBuilder(denied ? "Denied" : approved ? "Approved" : "Pending");
        if (failed) {
            s.append(",Failed");
        }
        if (!status.path("certificate").asString("").isEmpty()) {
            s.append(",Issued");
        }
        return s.toString();
    }
}

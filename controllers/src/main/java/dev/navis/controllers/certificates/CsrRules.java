package dev.navis.controllers.certificates;

import dev.navis.client.certificates.CertificateRequests;
import dev.navis.client.certificates.Signers;
import java.util.List;
import java.util.Set;

/**
 * Upstream's checks of what the built-in signers may issue (pkg/apis/certificates/helpers.go and the signer's
 * isRequestForSigner functions): each returns null when the request fits, else the reason.
 */
final class CsrRules {
    private static final Set<String> KUBELET_CLIENT_USAGES =
            Set.of(Signers.DIGITAL_SIGNATURE, Signers.KEY_ENCIPHERMENT, Signers.CLIENT_AUTH);
    private static final Set<String> KUBELET_CLIENT_USAGES_NO_RSA = Set.of(Signers.DIGITAL_SIGNATURE, Signers.CLIENT_AUTH);
    private static final Set<String> KUBELET_SERVING_USAGES =
            Set.of(Signers.DIGITAL_SIGNATURE, Signers.KEY_ENCIPHERMENT, Signers.SERVER_AUTH);
    private static final Set<String> KUBELET_SERVING_USAGES_NO_RSA = Set.of(Signers.DIGITAL_SIGNATURE, Signers.SERVER_AUTH);

    private CsrRules() {
    }

    /** ValidateKubeletClientCSR: O=[system:nodes], CN=system:node:..., no SANs, the kubelet client usages. */
    static String kubeletClientProblem(CertificateRequests.Parsed req, List<String> usages) {
        if (!req.organizations().equals(List.of(Signers.NODES_GROUP))) {
            return "subject organization is not system:nodes";
        }
        if (!req.dnsNames().isEmpty()) {
            return "DNS subjectAltNames are not allowed";
        }
        if (!req.emailAddresses().isEmpty()) {
            return "Email subjectAltNames are not allowed";
        }
        if (!req.ipAddresses().isEmpty()) {
            return "IP subjectAltNames are not allowed";
        }
        if (!req.uris().isEmpty()) {
            return "URI subjectAltNames are not allowed";
        }
        if (!req.commonName().startsWith(Signers.NODE_USER_PREFIX)) {
            return "subject common name does not begin with system:node:";
        }
        Set<String> given = Set.copyOf(usages);
        if (given.size() != usages.size() || !given.equals(KUBELET_CLIENT_USAGES) && !given.equals(KUBELET_CLIENT_USAGES_NO_RSA)) {
            return "usages did not match [client auth digital signature key encipherment]";
        }
        return null;
    }

    /** ValidateKubeletServingCSR: O=[system:nodes], CN=system:node:..., DNS or IP SANs only, the serving usages. */
    static String kubeletServingProblem(CertificateRequests.Parsed req, List<String> usages) {
        if (!req.organizations().equals(List.of(Signers.NODES_GROUP))) {
            return "subject organization is not system:nodes";
        }
        if (req.dnsNames().isEmpty() && req.ipAddresses().isEmpty()) {
            return "DNS or IP subjectAltName is required";
        }
        if (!req.emailAddresses().isEmpty()) {
            return "Email subjectAltNames are not allowed";
        }
        if (!req.uris().isEmpty()) {
            return "URI subjectAltNames are not allowed";
        }
        if (!req.commonName().startsWith(Signers.NODE_USER_PREFIX)) {
            return "subject common name does not begin with system:node:";
        }
        Set<String> given = Set.copyOf(usages);
        if (given.size() != usages.size() || !given.equals(KUBELET_SERVING_USAGES) && !given.equals(KUBELET_SERVING_USAGES_NO_RSA)) {
            return "usages did not match [digital signature key encipherment server auth]";
        }
        return null;
    }

    /** kubernetes.io/kube-apiserver-client: client auth required; only signature, encipherment and client auth. */
    static String apiServerClientProblem(List<String> usages) {
        boolean clientAuth = false;
        for (String usage : usages) {
            if (!KUBELET_CLIENT_USAGES.contains(usage)) {
                return "invalid usage for client certificate: " + usage;
            }
            clientAuth |= usage.equals(Signers.CLIENT_AUTH);
        }
        return clientAuth ? null : "missing required usage for client certificate: client auth";
    }
}

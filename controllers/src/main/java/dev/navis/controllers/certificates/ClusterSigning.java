package dev.navis.controllers.certificates;

import java.nio.file.Path;
import java.time.Duration;

/**
 * kube-controller-manager's cluster signing flags: the CA certificate and key (PEM files) that sign approved
 * CertificateSigningRequests, and the longest validity of what they sign.
 *
 * @param certFile --cluster-signing-cert-file
 * @param keyFile  --cluster-signing-key-file
 * @param duration --cluster-signing-duration (upstream's default: 8760h, one year)
 */
public record ClusterSigning(Path certFile, Path keyFile, Duration duration) {
    public static final Duration DEFAULT_DURATION = Duration.ofHours(8760);

    public ClusterSigning(Path certFile, Path keyFile) {
        this(certFile, keyFile, DEFAULT_DURATION);
    }
}

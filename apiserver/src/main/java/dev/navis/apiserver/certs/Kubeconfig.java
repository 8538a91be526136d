package dev.navis.apiserver.certs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The admin's kubeconfig: cluster "navis", user "admin" (client certificate), context "navis". kubectl and
 * client libraries use the file as it is ({@code kubectl --kubeconfig <file> get ns}).
 */
public final class Kubeconfig {
    public static final String CLUSTER = "navis";
    public static final String USER = "admin";
    public static final String CONTEXT = "navis";

    private Kubeconfig() {
    }

    /** The YAML text for {@code serverUrl} (e.g. https://127.0.0.1:6443) with the admin's credentials inline. */
    public static String render(String serverUrl, ClusterCertificates certificates) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: %1$s
                  cluster:
                    server: %4$s
                    certificate-authority-data: %5$s
                contexts:
                - name: %3$s
                  context:
                    cluster: %1$s
                    user: %2$s
                current-context: %3$s
                preferences: {}
                users:
                - name: %2$s
                  user:
                    client-certificate-data: %6$s
                    client-key-data: %7$s
                """.formatted(CLUSTER, USER, CONTEXT, serverUrl,
                base64(Pem.encode(certificates.ca())),
                base64(Pem.encode(certificates.admin())),
                base64(Pem.encode(certificates.adminKey())));
    }

    /** Writes the kubeconfig (0600: it holds the admin's private key). */
    public static void write(Path file, String serverUrl, ClusterCertificates certificates) {
        Pem.writePrivate(file, render(serverUrl, certificates));
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }
}

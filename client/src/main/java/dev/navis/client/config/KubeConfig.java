package dev.navis.client.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * A parsed kubeconfig (clientcmd's v1 Config): named clusters, users and contexts, and the current context.
 * {@link #clientConfig()} resolves a context into what the REST client needs. Relative file paths are
 * resolved against the directory of the kubeconfig file that named them.
 */
public record KubeConfig(Map<String, Cluster> clusters, Map<String, User> users, Map<String, Context> contexts,
                         String currentContext) {

    /** A cluster entry; {@code baseDir} resolves relative file names. */
    public record Cluster(String server, String certificateAuthority, String certificateAuthorityData,
                          boolean insecureSkipTlsVerify, Path baseDir) {
    }

    /** A user (AuthInfo) entry. */
    public record User(String clientCertificate, String clientCertificateData, String clientKey,
                       String clientKeyData, String token, String tokenFile, String username, String password,
                       Path baseDir) {
    }

    /** A context entry: which cluster, which user, which default namespace. */
    public record Context(String cluster, String user, String namespace) {
    }

    /** The current context's client config. */
    public ClientConfig clientConfig() {
        if (currentContext == null || currentContext.isEmpty()) {
            throw new IllegalArgumentException("kubeconfig has no current-context");
        }
        return clientConfig(currentContext);
    }

    /** The named context's client config. */
    public ClientConfig clientConfig(String contextName) {
        Context ctx = contexts.get(contextName);
        if (ctx == null) {
            throw new IllegalArgumentException("context \"" + contextName + "\" does not exist");
        }
        Cluster cluster = clusters.get(ctx.cluster());
        if (cluster == null) {
            throw new IllegalArgumentException("cluster \"" + ctx.cluster() + "\" does not exist");
        }
        if (cluster.server() == null || cluster.server().isEmpty()) {
            throw new IllegalArgumentException("cluster \"" + ctx.cluster() + "\" has no server");
        }
        User user = ctx.user() == null ? null : users.get(ctx.user());
        if (ctx.user() != null && !ctx.user().isEmpty() && user == null) {
            throw new IllegalArgumentException("user \"" + ctx.user() + "\" does not exist");
        }
        URI server = URI.create(cluster.server());
        SSLContext ssl = null;
        if ("https".equals(server.getScheme())) {
            List<X509Certificate> cas = List.of();
            byte[] ca = material(cluster.certificateAuthorityData(), cluster.certificateAuthority(), cluster.baseDir());
            if (ca != null) {
                cas = Pem.certificates(ca);
            }
            PrivateKey key = null;
            List<X509Certificate> chain = List.of();
            if (user != null) {
                byte[] cert = material(user.clientCertificateData(), user.clientCertificate(), user.baseDir());
                byte[] keyPem = material(user.clientKeyData(), user.clientKey(), user.baseDir());
                if ((cert == null) != (keyPem == null)) {
                    throw new IllegalArgumentException("user \"" + ctx.user()
                            + "\": client-certificate and client-key must be given together");
                }
                if (cert != null) {
                    chain = Pem.certificates(cert);
                    key = Pem.privateKey(keyPem);
                }
            }
            ssl = Tls.context(cas, cluster.insecureSkipTlsVerify(), key, chain);
        }
        Supplier<String> token = () -> null;
        String basic = null;
        if (user != null) {
            if (user.token() != null && !user.token().isEmpty()) {
                String t = user.token();
                token = () -> t;
            } else if (user.tokenFile() != null && !user.tokenFile().isEmpty()) {
                token = new TokenFile(resolve(user.tokenFile(), user.baseDir()));
            }
            if (user.username() != null && user.password() != null) {
                basic = user.username() + ":" + user.password();
            }
        }
        String ns = ctx.namespace() == null || ctx.namespace().isEmpty() ? "default" : ctx.namespace();
        return new ClientConfig(server, ssl, token, basic, ns, ClientConfig.DEFAULT_QPS, ClientConfig.DEFAULT_BURST,
                "navis");
    }

    /** Inline base64 data wins over a file, as in clientcmd. */
    private static byte[] material(String base64, String file, Path baseDir) {
        if (base64 != null && !base64.isEmpty()) {
            return Base64.getMimeDecoder().decode(base64);
        }
        if (file != null && !file.isEmpty()) {
            try {
                return Files.readAllBytes(resolve(file, baseDir));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return null;
    }

    private static Path resolve(String file, Path baseDir) {
        Path p = Path.of(file);
        return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
    }
}

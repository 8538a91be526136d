package dev.navis.client.config;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads kubeconfig files. {@link #loadDefault()} follows kubectl: the files of $KUBECONFIG (merged, the
 * first file to define a name or the current-context wins), else ~/.kube/config.
 */
public final class KubeConfigLoader {

    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private KubeConfigLoader() {
    }

    public static KubeConfig loadDefault() {
        String env = System.getenv("KUBECONFIG");
        List<Path> files = new ArrayList<>();
        if (env != null && !env.isBlank()) {
            for (String s : env.split(File.pathSeparator)) {
                if (!s.isBlank() && Files.exists(Path.of(s))) {
                    files.add(Path.of(s));
                }
            }
        } else {
            files.add(Path.of(System.getProperty("user.home"), ".kube", "config"));
        }
        return load(files);
    }

    public static KubeConfig load(Path file) {
        return load(List.of(file));
    }

    /** Merges several files as kubectl does with KUBECONFIG=a:b. */
    public static KubeConfig load(List<Path> files) {
        KubeConfig merged = new KubeConfig(new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), null);
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kubeconfig " + f, e);
            }
            Path dir = f.toAbsolutePath().getParent();
            merged = merge(merged, parse(text, dir));
        }
        return merged;
    }

    /** Parses kubeconfig YAML; relative paths in it resolve against {@code baseDir}. */
    public static KubeConfig parse(String yaml, Path baseDir) {
        JsonNode root = YAML.readTree(yaml);
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new KubeConfig(Map.of(), Map.of(), Map.of(), null);
        }
        Map<String, KubeConfig.Cluster> clusters = new LinkedHashMap<>();
        for (JsonNode n : root.path("clusters")) {
            JsonNode c = n.path("cluster");
            clusters.putIfAbsent(text(n, "name"), new KubeConfig.Cluster(text(c, "server"),
                    text(c, "certificate-authority"), text(c, "certificate-authority-data"),
                    c.path("insecure-skip-tls-verify").asBoolean(false), baseDir));
        }
        Map<String, KubeConfig.User> users = new LinkedHashMap<>();
        for (JsonNode n : root.path("users")) {
            JsonNode u = n.path("user");
            users.putIfAbsent(text(n, "name"), new KubeConfig.User(text(u, "client-certificate"),
                    text(u, "client-certificate-data"), text(u, "client-key"), text(u, "client-key-data"),
                    text(u, "token"), text(u, "tokenFile"), text(u, "username"), text(u, "password"), baseDir));
        }
        Map<String, KubeConfig.Context> contexts = new LinkedHashMap<>();
        for (JsonNode n : root.path("contexts")) {
            JsonNode c = n.path("context");
            contexts.putIfAbsent(text(n, "name"),
                    new KubeConfig.Context(text(c, "cluster"), text(c, "user"), text(c, "namespace")));
        }
        return new KubeConfig(clusters, users, contexts, text(root, "current-context"));
    }

    private static KubeConfig merge(KubeConfig first, KubeConfig second) {
        Map<String, KubeConfig.Cluster> clusters = new LinkedHashMap<>(first.clusters());
        second.clusters().forEach(clusters::putIfAbsent);
        Map<String, KubeConfig.User> users = new LinkedHashMap<>(first.users());
        second.users().forEach(users::putIfAbsent);
        Map<String, KubeConfig.Context> contexts = new LinkedHashMap<>(first.contexts());
        second.contexts().forEach(contexts::putIfAbsent);
        String current = first.currentContext() != null && !first.currentContext().isEmpty()
                ? first.currentContext() : second.currentContext();
        return new KubeConfig(clusters, users, contexts, current);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}

package dev.navis.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;

/**
 * The ConfigMap kube-public/cluster-info that kubeadm publishes for joining nodes: key {@code kubeconfig} holds a
 * kubeconfig with the API server's URL and its CA ({@code certificate-authority-data}) and no credentials. Anyone may
 * read it (the API server lets anonymous users GET exactly this object); a node trusts what it reads only after
 * checking the CA against the hash in its join token.
 */
final class ClusterInfo {
    static final String NAMESPACE = "kube-public";
    static final String NAME = "cluster-info";
    static final String KUBECONFIG_KEY = "kubeconfig";

    private ClusterInfo() {
    }

    /** Creates or updates cluster-info with the CA and server of the admin kubeconfig {@code adminKubeconfig}. */
    static ConfigMap publish(KubeClient client, Path adminKubeconfig, String serverUrl) {
        byte[] caPem = KubeletApi.clusterCa(adminKubeconfig);
        if (caPem == null) {
            throw new IllegalStateException(adminKubeconfig + " names no cluster CA");
        }
        String kubeconfig = """
                apiVersion: v1
                clusters:
                - cluster:
                    certificate-authority-data: %s
                    server: %s
                  name: ""
                contexts: null
                current-context: ""
                kind: Config
                preferences: {}
                users: null
                """.formatted(Base64.getEncoder().encodeToString(caPem), serverUrl);
        var configMaps = client.configMaps().namespace(NAMESPACE);
        ConfigMap existing = find(client);
        if (existing != null && existing.getData() != null && kubeconfig.equals(existing.getData().get(KUBECONFIG_KEY))) {
            return existing;
        }
        ConfigMap wanted = new ConfigMapBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE).endMetadata()
                .withData(Map.of(KUBECONFIG_KEY, kubeconfig)).build();
        try {
            if (existing == null) {
                return configMaps.create(wanted);
            }
            wanted.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
            return configMaps.update(wanted);
        } catch (ApiException e) {
            if (e.isAlreadyExists()) {
                return configMaps.get(NAME);
            }
            throw e;
        }
    }

    private static ConfigMap find(KubeClient client) {
        try {
            return client.configMaps().namespace(NAMESPACE).get(NAME);
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }

    /** The CA bundle (PEM bytes) cluster-info publishes, or null when it does not exist. */
    static byte[] caPem(KubeClient client) {
        ConfigMap info = find(client);
        if (info == null || info.getData() == null || info.getData().get(KUBECONFIG_KEY) == null) {
            return null;
        }
        for (var cluster : dev.navis.client.config.KubeConfigLoader.parse(info.getData().get(KUBECONFIG_KEY), null)
                .clusters().values()) {
            if (cluster.certificateAuthorityData() != null) {
                return Base64.getMimeDecoder().decode(cluster.certificateAuthorityData()
                        .getBytes(StandardCharsets.US_ASCII));
            }
        }
        return null;
    }
}

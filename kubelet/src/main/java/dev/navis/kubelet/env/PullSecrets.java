package dev.navis.kubelet.env;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A pod's imagePullSecrets as the runtime takes them: each secret's {@code .dockerconfigjson} (type
 * kubernetes.io/dockerconfigjson) or legacy {@code .dockercfg} value, decoded, in the pod's order. Upstream's
 * getPullSecretsForPod: a secret that cannot be read is left out and named, and the pull is tried anyway.
 */
public final class PullSecrets {
    private final ObjectSource objects;

    public PullSecrets(ObjectSource objects) {
        this.objects = objects;
    }

    /** The credentials found, and the names of referenced secrets that are missing or hold none. */
    public record Found(List<String> dockerConfigs, List<String> missing) {
    }

    public Found of(Pod pod) {
        List<String> configs = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<LocalObjectReference> refs = pod.getSpec().getImagePullSecrets();
        if (refs == null) {
            return new Found(configs, missing);
        }
        for (LocalObjectReference ref : refs) {
            if (ref == null || ref.getName() == null || ref.getName().isEmpty()) {
                continue;
            }
            Secret secret = objects.secret(pod.getMetadata().getNamespace(), ref.getName());
            String config = secret == null ? null : dockerConfig(secret);
            if (config == null) {
                missing.add(ref.getName());
            } else {
                configs.add(config);
            }
        }
        return new Found(configs, missing);
    }

    /** The registry credentials a secret holds as JSON text, or null. */
    static String dockerConfig(Secret secret) {
        for (String key : List.of(".dockerconfigjson", ".dockercfg")) {
            String value = value(secret, key);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String value(Secret secret, String key) {
        Map<String, String> data = secret.getData();
        if (data != null && data.get(key) != null) {
            return new String(Base64.getMimeDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
        }
        Map<String, String> plain = secret.getStringData();
        return plain == null ? null : plain.get(key);
    }
}

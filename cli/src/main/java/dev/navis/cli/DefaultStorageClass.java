package dev.navis.cli;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.storage.VolumeClaims;
import dev.navis.controllers.volume.localpath.LocalPathProvisioner;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.nio.file.Path;
import java.util.Map;

/**
 * The StorageClass {@code local-path} that k3s deploys: the cluster's default class
 * ({@code storageclass.kubernetes.io/is-default-class: "true"}), provisioner {@code rancher.io/local-path}
 * (the controller manager's local-path provisioner), WaitForFirstConsumer, reclaim policy Delete, volumes under
 * {@code nodePath} on the node a pod lands on ({@code <server data dir>/storage}, k3s's
 * {@code --default-local-storage-path}). Created at server start when absent; an existing class (possibly edited
 * by an administrator) is left as it is.
 */
final class DefaultStorageClass {
    static final String NAME = "local-path";

    private DefaultStorageClass() {
    }

    static StorageClass ensure(KubeClient client, Path nodePath) {
        StorageClass wanted = new StorageClassBuilder().withNewMetadata().withName(NAME)
                .addToAnnotations(VolumeClaims.ANN_DEFAULT_CLASS, "true").endMetadata()
                .withProvisioner(LocalPathProvisioner.PROVISIONER)
                .withVolumeBindingMode(VolumeClaims.WAIT_FOR_FIRST_CONSUMER)
                .withReclaimPolicy("Delete")
                .withParameters(Map.of(LocalPathProvisioner.NODE_PATH_PARAMETER, nodePath.toAbsolutePath().toString()))
                .build();
        try {
            return client.storageClasses().create(wanted);
        } catch (ApiException e) {
            if (e.isAlreadyExists()) {
                return client.storageClasses().get(NAME);
            }
            throw e;
        }
    }
}

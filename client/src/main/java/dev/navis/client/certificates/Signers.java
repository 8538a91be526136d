package dev.navis.client.certificates;

/** Upstream's built-in signer names and key usage strings of certificates.k8s.io/v1. */
public final class Signers {
    public static final String KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client";
    public static final String KUBE_APISERVER_CLIENT_KUBELET = "kubernetes.io/kube-apiserver-client-kubelet";
    public static final String KUBELET_SERVING = "kubernetes.io/kubelet-serving";
    public static final String LEGACY_UNKNOWN = "kubernetes.io/legacy-unknown";

    public static final String DIGITAL_SIGNATURE = "digital signature";
    public static final String KEY_ENCIPHERMENT = "key encipherment";
    public static final String CLIENT_AUTH = "client auth";
    public static final String SERVER_AUTH = "server auth";

    /** The user name and group of node credentials. */
    public static final String NODE_USER_PREFIX = "system:node:";
    public static final String NODES_GROUP = "system:nodes";

    private Signers() {
    }
}

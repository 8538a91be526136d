package dev.navis.client.certificates;

import java.util.Set;

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

    /** Every usage string certificates.k8s.io/v1 accepts (KeyUsage constants). */
    public static final Set<String> KNOWN_USAGES = Set.of("signing", DIGITAL_SIGNATURE, "content commitment",
            KEY_ENCIPHERMENT, "key agreement", "data encipherment", "cert sign", "crl sign", "encipher only",
            "decipher only", "any", SERVER_AUTH, CLIENT_AUTH, "code signing", "email protection", "s/mime",
            "ipsec end system", "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc",
            "netscape sgc");

    /** The user name and group of node credentials. */
    public static final String NODE_USER_PREFIX = "system:node:";
    public static final String NODES_GROUP = "system:nodes";

    private Signers() {
    }
}

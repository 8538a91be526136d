package dev.navis.kubelet.pod;

import dev.navis.kubelet.dns.DnsConfigurer;
import dev.navis.kubelet.env.EnvResolver;
import dev.navis.kubelet.env.PullSecrets;
import dev.navis.kubelet.volume.VolumeManager;

/**
 * What a real node prepares for a pod before the runtime runs it: environment, volumes, resolv.conf and
 * registry credentials ({@code pullSecrets} null: none are looked up).
 */
public record PodResources(EnvResolver env, VolumeManager volumes, DnsConfigurer dns, PullSecrets pullSecrets) {

    public PodResources(EnvResolver env, VolumeManager volumes, DnsConfigurer dns) {
        this(env, volumes, dns, null);
    }
}

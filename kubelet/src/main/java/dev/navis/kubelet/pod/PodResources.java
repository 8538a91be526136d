package dev.navis.kubelet.pod;

import dev.navis.kubelet.dns.DnsConfigurer;
import dev.navis.kubelet.env.EnvResolver;
import dev.navis.kubelet.volume.VolumeManager;

/** What a real node prepares for a pod before the runtime runs it: environment, volumes, resolv.conf. */
public record PodResources(EnvResolver env, VolumeManager volumes, DnsConfigurer dns) {
}

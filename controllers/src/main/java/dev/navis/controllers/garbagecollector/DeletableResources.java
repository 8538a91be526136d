package dev.navis.controllers.garbagecollector;

import dev.navis.client.ResourceRef;
import dev.navis.client.discovery.DiscoveryClient;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resources the garbage collector watches and where an owner reference's apiVersion and kind live
 * (upstream's GetDeletableResources plus the REST mapper): every preferred-version resource whose verbs
 * include delete, list and watch, except events. A kind with a typed class in {@link ResourceRef} uses it,
 * so the GC shares its informer with the other controllers; any other kind is read as
 * {@link GenericKubernetesResource}.
 */
final class DeletableResources {

    /** Upstream's DefaultIgnoredResources: events are never owners worth tracking and are very many. */
    static final Set<String> IGNORED = Set.of("events", "events.events.k8s.io");
    private static final List<String> VERBS = List.of("delete", "list", "watch");

    private final List<ResourceRef<? extends HasMetadata>> resources;
    /** "group/Kind" -> resource. */
    private final Map<String, ResourceRef<? extends HasMetadata>> byGroupKind;

    DeletableResources(List<ResourceRef<? extends HasMetadata>> resources) {
        this.resources = List.copyOf(resources);
        Map<String, ResourceRef<? extends HasMetadata>> m = new HashMap<>();
        for (ResourceRef<? extends HasMetadata> r : resources) {
            m.put(r.group() + "/" + r.kind(), r);
        }
        this.byGroupKind = m;
    }

    static DeletableResources discover(DiscoveryClient discovery) {
        Map<String, ResourceRef<?>> typed = new HashMap<>();
        for (ResourceRef<?> r : ResourceRef.registered()) {
            typed.put(r.apiVersion() + "/" + r.plural(), r);
        }
        List<ResourceRef<? extends HasMetadata>> out = new ArrayList<>();
        for (APIResourceList list : discovery.serverPreferredResources()) {
            String gv = list.getGroupVersion();
            int slash = gv.indexOf('/');
            String group = slash < 0 ? "" : gv.substring(0, slash);
            String version = slash < 0 ? gv : gv.substring(slash + 1);
            for (APIResource r : list.getResources()) {
                String plural = r.getName();
                if (plural.contains("/") || r.getVerbs() == null || !r.getVerbs().containsAll(VERBS)
                        || IGNORED.contains(group.isEmpty() ? plural : plural + "." + group)) {
                    continue;
                }
                @SuppressWarnings("unchecked")
                ResourceRef<? extends HasMetadata> ref = (ResourceRef<? extends HasMetadata>) typed.get(gv + "/" + plural);
                if (ref == null) {
                    ref = new ResourceRef<>(group, version, r.getKind(), plural, Boolean.TRUE.equals(r.getNamespaced()),
                            GenericKubernetesResource.class);
                }
                out.add(ref);
            }
        }
        return new DeletableResources(out);
    }

    /** These resources and {@code more}. */
    DeletableResources plus(List<ResourceRef<? extends HasMetadata>> more) {
        List<ResourceRef<? extends HasMetadata>> all = new ArrayList<>(resources);
        all.addAll(more);
        return new DeletableResources(all);
    }

    List<ResourceRef<? extends HasMetadata>> all() {
        return resources;
    }

    /** The resource of an owner reference's apiVersion ("apps/v1", "v1") and kind; null when not served. */
    ResourceRef<? extends HasMetadata> forKind(String apiVersion, String kind) {
        String av = apiVersion == null ? "" : apiVersion;
        int slash = av.indexOf('/');
        String group = slash < 0 ? "" : av.substring(0, slash);
        return byGroupKind.get(group + "/" + kind);
    }
}

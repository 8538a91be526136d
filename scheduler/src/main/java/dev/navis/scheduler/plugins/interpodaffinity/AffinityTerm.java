package dev.navis.scheduler.plugins.interpodaffinity;

import dev.navis.api.selector.LabelSelector;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.plugins.helper.LabelSelectors;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed pod (anti-)affinity term (upstream's framework.AffinityTerm): the namespaces it names (the
 * pod's own when it names none and has no namespaceSelector), the namespaceSelector (nothing when unset),
 * the label selector (nothing when unset), the topology key, and the weight of a preferred term.
 */
record AffinityTerm(Set<String> namespaces, LabelSelector namespaceSelector, LabelSelector selector,
                    String topologyKey, int weight) {

    /** Whether {@code pod} is in the term's namespaces (or one whose labels are {@code nsLabels}) and matches. */
    boolean matches(Pod pod, Map<String, String> nsLabels) {
        if (namespaces.contains(pod.getMetadata().getNamespace())
                || (nsLabels != null && namespaceSelector.matches(nsLabels))) {
            Map<String, String> labels = pod.getMetadata().getLabels();
            return selector.matches(labels == null ? Map.of() : labels);
        }
        return false;
    }

    /** This term with the namespaces its selector picks merged in and the selector dropped. */
    AffinityTerm withNamespaces(Set<String> extra) {
        Set<String> ns = new HashSet<>(namespaces);
        ns.addAll(extra);
        return new AffinityTerm(ns, LabelSelector.nothing(), selector, topologyKey, weight);
    }

    static boolean matchesAll(AffinityTerm[] terms, Pod pod) {
        if (terms.length == 0) {
            return false;
        }
        for (AffinityTerm t : terms) {
            if (!t.matches(pod, null)) {
                return false;
            }
        }
        return true;
    }

    /** A pod's four kinds of terms, parsed once per PodInfo. */
    record PodTerms(AffinityTerm[] requiredAffinity, AffinityTerm[] requiredAntiAffinity,
                    AffinityTerm[] preferredAffinity, AffinityTerm[] preferredAntiAffinity) {
        static final PodTerms NONE = new PodTerms(new AffinityTerm[0], new AffinityTerm[0], new AffinityTerm[0],
                new AffinityTerm[0]);

        static PodTerms of(PodInfo pod) {
            return pod.memo(PodTerms.class, PodTerms::parse);
        }

        private static PodTerms parse(PodInfo info) {
            Pod pod = info.pod();
            Affinity a = pod.getSpec().getAffinity();
            if (a == null || (a.getPodAffinity() == null && a.getPodAntiAffinity() == null)) {
                return NONE;
            }
            String ns = pod.getMetadata().getNamespace();
            var pa = a.getPodAffinity();
            var anti = a.getPodAntiAffinity();
            return new PodTerms(
                    required(pa == null ? null : pa.getRequiredDuringSchedulingIgnoredDuringExecution(), ns),
                    required(anti == null ? null : anti.getRequiredDuringSchedulingIgnoredDuringExecution(), ns),
                    preferred(pa == null ? null : pa.getPreferredDuringSchedulingIgnoredDuringExecution(), ns),
                    preferred(anti == null ? null : anti.getPreferredDuringSchedulingIgnoredDuringExecution(), ns));
        }

        private static AffinityTerm[] required(List<PodAffinityTerm> terms, String ns) {
            if (terms == null || terms.isEmpty()) {
                return new AffinityTerm[0];
            }
            List<AffinityTerm> out = new ArrayList<>(terms.size());
            for (PodAffinityTerm t : terms) {
                out.add(term(t, ns, 0));
            }
            return out.toArray(AffinityTerm[]::new);
        }

        private static AffinityTerm[] preferred(List<WeightedPodAffinityTerm> terms, String ns) {
            if (terms == null || terms.isEmpty()) {
                return new AffinityTerm[0];
            }
            List<AffinityTerm> out = new ArrayList<>(terms.size());
            for (WeightedPodAffinityTerm t : terms) {
                // a zero weight contributes nothing (upstream skips it)
                if (t.getWeight() != null && t.getWeight() != 0 && t.getPodAffinityTerm() != null) {
                    out.add(term(t.getPodAffinityTerm(), ns, t.getWeight()));
                }
            }
            return out.toArray(AffinityTerm[]::new);
        }

        private static AffinityTerm term(PodAffinityTerm t, String podNamespace, int weight) {
            Set<String> namespaces = new HashSet<>(t.getNamespaces() == null ? List.of() : t.getNamespaces());
            if (namespaces.isEmpty() && t.getNamespaceSelector() == null) {
                namespaces.add(podNamespace);
            }
            LabelSelector nsSelector = t.getNamespaceSelector() == null ? LabelSelector.nothing()
                    : LabelSelectors.of(t.getNamespaceSelector());
            return new AffinityTerm(namespaces, nsSelector, LabelSelectors.of(t.getLabelSelector()),
                    t.getTopologyKey(), weight);
        }
    }
}

package dev.navis.openapigen;

import com.google.gson.annotations.SerializedName;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Upstream's definition names for client-java's model classes. client-java drops the API group from its class
 * names (V1Container, V1DeploymentSpec) unless two groups clash (CoreV1EventSeries); the group comes, in this
 * order, from that prefix, from kubernetes-types' module layout, from fabric8's package layout, from the same
 * type name in another version, and last from a type that refers to it.
 */
final class DefinitionNames {

    static final String MODELS = "io.kubernetes.client.openapi.models.";
    static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1";
    static final Pattern CLASS_NAME =
            Pattern.compile("^([A-Z][a-z]+)?(V[0-9]+(?:alpha[0-9]+|beta[0-9]+)?)([A-Z].*)$");
    /** The types of k8s.io/apimachinery/pkg/apis/meta/v1 that client-java names like API group types. */
    private static final Set<String> META_TYPES = Set.of("APIGroup", "APIGroupList", "APIResource",
            "APIResourceList", "APIVersions", "Condition", "DeleteOptions", "FieldSelectorRequirement",
            "GroupVersionForDiscovery", "LabelSelector", "LabelSelectorRequirement", "ListMeta",
            "ManagedFieldsEntry", "ObjectMeta", "OwnerReference", "Preconditions", "ServerAddressByClientCIDR",
            "Status", "StatusCause", "StatusDetails", "WatchEvent");

    private final Fabric8Groups fabric8 = new Fabric8Groups();
    private final Collection<String> kubernetesTypes;

    /** @param kubernetesTypes definition names declared by kubernetes-types, e.g. io.k8s.api.core.v1.Container */
    DefinitionNames(Collection<String> kubernetesTypes) {
        this.kubernetesTypes = kubernetesTypes;
    }

    /** Every model class's definition name, e.g. V1Container -> io.k8s.api.core.v1.Container. */
    Map<Class<?>, String> of(List<Class<?>> models) {
        Map<Class<?>, String> namespaces = new HashMap<>();
        for (Class<?> model : models) {
            String ns = namespaceOf(model);
            if (ns != null) {
                namespaces.put(model, ns);
            }
        }
        // A type neither source knows lives in the API group of a type that refers to it.
        Deque<Class<?>> queue = new ArrayDeque<>(namespaces.keySet());
        while (!queue.isEmpty()) {
            Class<?> owner = queue.poll();
            String ownerNamespace = namespaces.get(owner);
            if (ownerNamespace.equals(META)) {
                continue;
            }
            for (Class<?> ref : referencedModels(owner)) {
                if (!namespaces.containsKey(ref)) {
                    String groupPackage = ownerNamespace.substring(0, ownerNamespace.lastIndexOf('.'));
                    namespaces.put(ref, groupPackage + "." + versionOf(ref));
                    queue.add(ref);
                }
            }
        }
        Map<Class<?>, String> names = new LinkedHashMap<>();
        for (Class<?> model : models) {
            String ns = namespaces.getOrDefault(model, "io.k8s.api.core.v1");
            names.put(model, ns + "." + typeName(model));
        }
        return names;
    }

    private String namespaceOf(Class<?> model) {
        if (model.getSimpleName().equals("VersionInfo")) {
            return "io.k8s.apimachinery.pkg.version";
        }
        Matcher m = CLASS_NAME.matcher(model.getSimpleName());
        m.matches();
        String version = m.group(2).toLowerCase();
        String type = m.group(3);
        if (META_TYPES.contains(type) && m.group(1) == null) {
            return META;
        }
        if (m.group(1) != null) {
            return packageOf(m.group(1).toLowerCase(), version);
        }
        if (type.startsWith("APIService")) {
            return packageOf("apiregistration", version); // the aggregator's types, in neither source
        }
        List<String> known = kubernetesTypesNamespaces().getOrDefault(type + "/" + version, List.of());
        if (known.size() == 1) {
            return known.get(0);
        }
        String group = fabric8.groupOf(type, version);
        if (group != null) {
            return packageOf(groupDirectory(group), version);
        }
        // Type names stay when a type moves between versions of its group.
        Set<String> groupPackages = new TreeSet<>();
        kubernetesTypesNamespaces().forEach((key, namespaces) -> {
            if (key.startsWith(type + "/")) {
                namespaces.forEach(ns -> groupPackages.add(ns.substring(0, ns.lastIndexOf('.'))));
            }
        });
        for (String otherVersionGroup : fabric8.groupsOf(type)) {
            String pkg = packageOf(groupDirectory(otherVersionGroup), version);
            groupPackages.add(pkg.substring(0, pkg.lastIndexOf('.')));
        }
        return groupPackages.size() == 1 ? groupPackages.iterator().next() + "." + version : null;
    }

    private static String versionOf(Class<?> model) {
        Matcher m = CLASS_NAME.matcher(model.getSimpleName());
        return m.matches() ? m.group(2).toLowerCase() : "v1";
    }

    private Map<String, List<String>> kubernetesTypesNamespaces;

    /** "Type/version" -> the namespaces kubernetes-types declares a type of that name in. */
    private Map<String, List<String>> kubernetesTypesNamespaces() {
        if (kubernetesTypesNamespaces == null) {
            kubernetesTypesNamespaces = new HashMap<>();
            for (String definition : kubernetesTypes) {
                int dot = definition.lastIndexOf('.');
                String namespace = definition.substring(0, dot);
                String version = namespace.substring(namespace.lastIndexOf('.') + 1);
                kubernetesTypesNamespaces.computeIfAbsent(definition.substring(dot + 1) + "/" + version,
                        k -> new ArrayList<>()).add(namespace);
            }
        }
        return kubernetesTypesNamespaces;
    }

    static String typeName(Class<?> model) {
        if (model.getSimpleName().equals("VersionInfo")) {
            return "Info";
        }
        Matcher m = CLASS_NAME.matcher(model.getSimpleName());
        m.matches();
        return m.group(3);
    }

    /** The directory of k8s.io/api that holds a group: its first DNS label, with upstream's exceptions. */
    static String groupDirectory(String group) {
        if (group.isEmpty()) {
            return "core";
        }
        if (group.equals("internal.apiserver.k8s.io")) {
            return "apiserverinternal";
        }
        int dot = group.indexOf('.');
        return dot < 0 ? group : group.substring(0, dot);
    }

    static String packageOf(String directory, String version) {
        return switch (directory) {
            case "apiextensions" -> "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version;
            case "apiregistration" -> "io.k8s.kube-aggregator.pkg.apis.apiregistration." + version;
            default -> "io.k8s.api." + directory + "." + version;
        };
    }

    private static List<Class<?>> referencedModels(Class<?> model) {
        List<Class<?>> refs = new ArrayList<>();
        for (Field field : model.getDeclaredFields()) {
            if (field.getAnnotation(SerializedName.class) != null) {
                collectModels(field.getGenericType(), refs);
            }
        }
        return refs;
    }

    private static void collectModels(Type type, List<Class<?>> out) {
        if (type instanceof ParameterizedType p) {
            for (Type arg : p.getActualTypeArguments()) {
                collectModels(arg, out);
            }
        } else if (type instanceof Class<?> c && c.getName().startsWith(MODELS)) {
            out.add(c);
        }
    }
}

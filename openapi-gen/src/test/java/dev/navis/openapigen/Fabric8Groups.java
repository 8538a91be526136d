package dev.navis.openapigen;

import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

/**
 * Which API group and version a Kubernetes type name belongs to, read from the package layout of fabric8's
 * model jars: each package holds one group-version, named by the {@link Group}/{@link Version} annotations of
 * its top-level kinds. Used by the definitions generator only.
 */
final class Fabric8Groups {

    private record GroupVersion(String group, String version) {
    }

    private final Map<String, List<String>> packagesByTypeName = new HashMap<>();
    private final Map<String, GroupVersion> groupVersionByPackage = new HashMap<>();

    Fabric8Groups() {
        try {
            Enumeration<URL> services = getClass().getClassLoader()
                    .getResources("META-INF/services/io.fabric8.kubernetes.api.model.KubernetesResource");
            while (services.hasMoreElements()) {
                URL url = services.nextElement();
                JarURLConnection connection = (JarURLConnection) url.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    index(jar);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read fabric8 model jars", e);
        }
        if (groupVersionByPackage.isEmpty()) {
            throw new IllegalStateException("no fabric8 model jar on the class path");
        }
    }

    private void index(JarFile jar) {
        List<String> classNames = new ArrayList<>();
        jar.stream().map(e -> e.getName())
                .filter(n -> n.startsWith("io/fabric8/kubernetes/api/model/") && n.endsWith(".class") && !n.contains("$"))
                .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                .filter(n -> !n.endsWith("Builder") && !n.endsWith("Fluent") && !n.endsWith("FluentImpl"))
                .forEach(classNames::add);
        for (String name : classNames) {
            int dot = name.lastIndexOf('.');
            String pkg = name.substring(0, dot);
            packagesByTypeName.computeIfAbsent(name.substring(dot + 1), k -> new ArrayList<>()).add(pkg);
            if (groupVersionByPackage.containsKey(pkg)) {
                continue;
            }
            Class<?> type = DefinitionsGenerator.load(name);
            Group group = type.getAnnotation(Group.class);
            Version version = type.getAnnotation(Version.class);
            if (group != null && version != null) {
                groupVersionByPackage.put(pkg, new GroupVersion(group.value(), version.value()));
            }
        }
    }

    /** The groups that have a type of this name in any version. */
    java.util.Set<String> groupsOf(String typeName) {
        java.util.Set<String> groups = new java.util.TreeSet<>();
        for (String pkg : packagesByTypeName.getOrDefault(typeName, List.of())) {
            GroupVersion gv = groupVersionByPackage.get(pkg);
            if (gv != null) {
                groups.add(gv.group());
            }
        }
        return groups;
    }

    /** The group of the type with this name and version, null when fabric8 has none; core wins ties. */
    String groupOf(String typeName, String version) {
        String found = null;
        for (String pkg : packagesByTypeName.getOrDefault(typeName, List.of())) {
            GroupVersion gv = groupVersionByPackage.get(pkg);
            if (gv == null || !gv.version().equals(version)) {
                continue;
            }
            if (gv.group().isEmpty()) {
                return "";
            }
            if (found == null || gv.group().compareTo(found) < 0) {
                found = gv.group();
            }
        }
        return found;
    }
}

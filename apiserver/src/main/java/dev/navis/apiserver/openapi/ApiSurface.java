package dev.navis.apiserver.openapi;

import dev.navis.api.ResourceDefinition;
import dev.navis.apimachinery.apiextensions.CustomResourceStrategy;
import dev.navis.apiserver.openapi.Operation.Body;
import dev.navis.apiserver.openapi.Operation.GroupVersionKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API paths and operations the server offers for a set of resources, as kube-apiserver names them
 * (operationIds such as {@code listCoreV1NamespacedPod}), grouped by group-version ("api/v1",
 * "apis/apps/v1"). Kinds without a built-in schema get a permissive one.
 */
final class ApiSurface {

    static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    static final String STATUS = META + "Status";
    static final String DELETE_OPTIONS = META + "DeleteOptions";
    static final String PATCH = META + "Patch";
    private static final String SCALE = "io.k8s.api.autoscaling.v1.Scale";

    private final BuiltinSchemas schemas;
    private final Map<String, List<ApiPath>> pathsByGroupVersion = new TreeMap<>();
    private final Map<String, ObjectNode> extraDefinitions = new LinkedHashMap<>();

    ApiSurface(List<ResourceDefinition> resources, BuiltinSchemas schemas) {
        this.schemas = schemas;
        for (ResourceDefinition r : resources) {
            pathsByGroupVersion.computeIfAbsent(groupVersionPath(r.group(), r.version()), k -> new ArrayList<>())
                    .addAll(pathsOf(r));
        }
    }

    /** "api/v1" or "apis/apps/v1" -> the paths of that group-version, in resource order. */
    Map<String, List<ApiPath>> pathsByGroupVersion() {
        return pathsByGroupVersion;
    }

    /** A definition by name: a built-in one or one made up for a kind without built-in schema. */
    Optional<ObjectNode> definition(String name) {
        ObjectNode extra = extraDefinitions.get(name);
        return extra != null ? Optional.of(extra) : schemas.definition(name);
    }

    static String groupVersionPath(String group, String version) {
        return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
    }

    /** "CoreV1", "AppsV1", "RbacAuthorizationV1": the group-version part of upstream's operationIds. */
    static String operationWord(String group, String version) {
        StringBuilder sb = new StringBuilder();
        if (group.isEmpty()) {
            sb.append("Core");
        } else {
            String g = group.endsWith(".k8s.io") ? group.substring(0, group.length() - ".k8s.io".length()) : group;
            for (String part : g.split("[.-]")) {
                sb.append(capitalize(part));
            }
        }
        return sb.append(capitalize(version)).toString();
    }

    /** "core_v1", "apps_v1", "rbacAuthorization_v1": upstream's operation tags. */
    static String tag(String group, String version) {
        String word = operationWord(group, version);
        String groupWord = word.substring(0, word.length() - version.length());
        return Character.toLowerCase(groupWord.charAt(0)) + groupWord.substring(1) + "_" + version;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private List<ApiPath> pathsOf(ResourceDefinition r) {
        String kind = r.kind();
        String objectDef = definitionOf(r, kind);
        String listDef = listDefinitionOf(r, objectDef);
        GroupVersionKind gvk = new GroupVersionKind(r.group(), r.version(), kind);
        String word = operationWord(r.group(), r.version()) + (r.namespaced() ? "Namespaced" : "");
        String prefix = "/" + groupVersionPath(r.group(), r.version());
        String collection = prefix + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.plural();
        String item = collection + "/{name}";
        List<Parameter> collectionParams = r.namespaced()
                ? List.of(Parameters.NAMESPACE, Parameters.PRETTY) : List.of(Parameters.PRETTY);
        List<Parameter> itemParams = r.namespaced()
                ? List.of(Parameters.name(kind), Parameters.NAMESPACE, Parameters.PRETTY)
                : List.of(Parameters.name(kind), Parameters.PRETTY);

        List<ApiPath> paths = new ArrayList<>();
        paths.add(new ApiPath(collection, collectionParams, List.of(
                new Operation("get", "list" + word + kind, "list or watch objects of kind " + kind, "list", gvk,
                        Parameters.LIST, Body.NONE, null, listDef, List.of(200), true),
                new Operation("post", "create" + word + kind, "create " + article(kind), "post", gvk,
                        Parameters.WRITE, Body.OBJECT, objectDef, objectDef, List.of(200, 201, 202), false),
                new Operation("delete", "delete" + operationWord(r.group(), r.version()) + "Collection"
                        + (r.namespaced() ? "Namespaced" : "") + kind, "delete collection of " + kind,
                        "deletecollection", gvk, Parameters.DELETE_COLLECTION, Body.DELETE_OPTIONS, DELETE_OPTIONS,
                        STATUS, List.of(200), false))));
        paths.add(new ApiPath(item, itemParams, List.of(
                new Operation("get", "read" + word + kind, "read the specified " + kind, "get", gvk, List.of(),
                        Body.NONE, null, objectDef, List.of(200), false),
                new Operation("put", "replace" + word + kind, "replace the specified " + kind, "put", gvk,
                        Parameters.WRITE, Body.OBJECT, objectDef, objectDef, List.of(200, 201), false),
                new Operation("delete", "delete" + word + kind, "delete " + article(kind), "delete", gvk,
                        Parameters.DELETE, Body.DELETE_OPTIONS, DELETE_OPTIONS, STATUS, List.of(200, 202), false),
                new Operation("patch", "patch" + word + kind, "partially update the specified " + kind, "patch",
                        gvk, Parameters.PATCH, Body.PATCH, PATCH, objectDef, List.of(200, 201), false))));
        if (r.namespaced()) {
            paths.add(new ApiPath(prefix + "/" + r.plural(), List.of(Parameters.PRETTY), List.of(
                    new Operation("get", "list" + operationWord(r.group(), r.version()) + kind + "ForAllNamespaces",
                            "list or watch objects of kind " + kind, "list", gvk, Parameters.LIST, Body.NONE, null,
                            listDef, List.of(200), true))));
        }
        for (String sub : r.subresources().stream().sorted().toList()) {
            subresourcePath(r, sub, item, itemParams, word, objectDef, gvk).ifPresent(paths::add);
        }
        return paths;
    }

    private Optional<ApiPath> subresourcePath(ResourceDefinition r, String sub, String item,
                                              List<Parameter> itemParams, String word, String objectDef,
                                              GroupVersionKind gvk) {
        String kind = r.kind();
        String path = item + "/" + sub;
        String suffix = capitalize(sub);
        return switch (sub) {
            case "status", "ephemeralcontainers", "resize", "approval" ->
                    Optional.of(readReplacePatch(path, itemParams, word + kind + suffix, sub, kind, objectDef, gvk));
            case "scale" -> Optional.of(readReplacePatch(path, itemParams, word + kind + suffix, sub, kind, SCALE,
                    new GroupVersionKind("autoscaling", "v1", "Scale")));
            case "finalize" -> Optional.of(new ApiPath(path, itemParams, List.of(
                    new Operation("put", "replace" + word + kind + suffix, "replace finalize of the specified " + kind,
                            "put", gvk, Parameters.WRITE, Body.OBJECT, objectDef, objectDef, List.of(200, 201),
                            false))));
            case "binding" -> create(path, itemParams, word + kind + suffix, "binding of " + article(kind),
                    "io.k8s.api.core.v1.Binding", new GroupVersionKind("", "v1", "Binding"));
            case "eviction" -> create(path, itemParams, word + kind + suffix, "eviction of " + article(kind),
                    "io.k8s.api.policy.v1.Eviction", new GroupVersionKind("policy", "v1", "Eviction"));
            case "token" -> create(path, itemParams, word + kind + suffix, "token of " + article(kind),
                    "io.k8s.api.authentication.v1.TokenRequest",
                    new GroupVersionKind("authentication.k8s.io", "v1", "TokenRequest"));
            default -> Optional.empty(); // log, exec, attach, portforward, proxy: streaming, not described here
        };
    }

    private static ApiPath readReplacePatch(String path, List<Parameter> params, String idTail, String sub,
                                            String kind, String schema, GroupVersionKind gvk) {
        return new ApiPath(path, params, List.of(
                new Operation("get", "read" + idTail, "read " + sub + " of the specified " + kind, "get", gvk,
                        List.of(), Body.NONE, null, schema, List.of(200), false),
                new Operation("put", "replace" + idTail, "replace " + sub + " of the specified " + kind, "put", gvk,
                        Parameters.WRITE, Body.OBJECT, schema, schema, List.of(200, 201), false),
                new Operation("patch", "patch" + idTail, "partially update " + sub + " of the specified " + kind,
                        "patch", gvk, Parameters.PATCH, Body.PATCH, PATCH, schema, List.of(200, 201), false)));
    }

    private Optional<ApiPath> create(String path, List<Parameter> params, String idTail, String what, String schema,
                                     GroupVersionKind gvk) {
        if (schemas.definition(schema).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ApiPath(path, params, List.of(
                new Operation("post", "create" + idTail, "create " + what, "post", gvk, Parameters.WRITE, Body.OBJECT,
                        schema, schema, List.of(200, 201, 202), false))));
    }

    private static String article(String kind) {
        return ("AEIOU".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ") + kind;
    }

    private String definitionOf(ResourceDefinition r, String kind) {
        if (r.strategy() instanceof CustomResourceStrategy custom && custom.schema() != null) {
            String name = syntheticName(r, kind);
            extraDefinitions.computeIfAbsent(name, n -> customObject(r, custom.schema()));
            return name;
        }
        return schemas.nameOf(r.group(), r.version(), kind).orElseGet(() -> {
            String name = syntheticName(r, kind);
            extraDefinitions.computeIfAbsent(name, n -> permissiveObject(r, kind));
            return name;
        });
    }

    private String listDefinitionOf(ResourceDefinition r, String objectDef) {
        String listKind = r.kind() + "List";
        return schemas.nameOf(r.group(), r.version(), listKind).orElseGet(() -> {
            String name = syntheticName(r, listKind);
            extraDefinitions.computeIfAbsent(name, n -> listOf(r, listKind, objectDef));
            return name;
        });
    }

    /** Upstream's naming of schemas without Go package: the group reversed, e.g. com.example.stable.v1.CronTab. */
    private static String syntheticName(ResourceDefinition r, String kind) {
        List<String> parts = new ArrayList<>(List.of((r.group().isEmpty() ? "core" : r.group()).split("\\.")));
        java.util.Collections.reverse(parts);
        return String.join(".", parts) + "." + r.version() + "." + kind;
    }

    /** A custom resource's schema as upstream publishes it: the CRD's, with typed apiVersion, kind and metadata. */
    private static ObjectNode customObject(ResourceDefinition r, tools.jackson.databind.JsonNode crdSchema) {
        ObjectNode schema = typedObject(r, r.kind(), META + "ObjectMeta");
        ObjectNode typed = (ObjectNode) schema.get("properties");
        ObjectNode copy = (ObjectNode) crdSchema.deepCopy();
        ObjectNode props = copy.get("properties") instanceof ObjectNode p ? p : copy.putObject("properties");
        typed.properties().forEach(e -> props.set(e.getKey(), e.getValue()));
        ((ObjectNode) props.get("apiVersion")).put("description", "APIVersion defines the versioned schema of this "
                + "representation of an object. Servers should convert recognized schemas to the latest internal "
                + "value, and may reject unrecognized values.");
        ((ObjectNode) props.get("kind")).put("description", "Kind is a string value representing the REST resource "
                + "this object represents. Servers may infer this from the endpoint the client submits requests to.");
        copy.set("x-kubernetes-group-version-kind", schema.get("x-kubernetes-group-version-kind"));
        copy.put("type", "object");
        return copy;
    }

    private static ObjectNode permissiveObject(ResourceDefinition r, String kind) {
        ObjectNode schema = typedObject(r, kind, META + "ObjectMeta");
        schema.put("x-kubernetes-preserve-unknown-fields", true);
        return schema;
    }

    private static ObjectNode listOf(ResourceDefinition r, String listKind, String itemDef) {
        ObjectNode schema = typedObject(r, listKind, META + "ListMeta");
        ObjectNode items = ((ObjectNode) schema.get("properties")).putObject("items");
        items.put("description", "List of " + r.plural() + ".");
        items.put("type", "array");
        items.putObject("items").put("$ref", itemDef);
        schema.putArray("required").add("items");
        return schema;
    }

    private static ObjectNode typedObject(ResourceDefinition r, String kind, String metadataDef) {
        ObjectNode schema = JsonNodeFactory.instance.objectNode();
        schema.put("description", kind + " of " + r.groupResource() + ".");
        schema.put("type", "object");
        ObjectNode props = schema.putObject("properties");
        props.putObject("apiVersion").put("type", "string");
        props.putObject("kind").put("type", "string");
        props.putObject("metadata").put("$ref", metadataDef);
        ObjectNode gvk = schema.putArray("x-kubernetes-group-version-kind").addObject();
        gvk.put("group", r.group()).put("kind", kind).put("version", r.version());
        return schema;
    }
}

package dev.navis.openapigen;

import com.google.gson.annotations.SerializedName;
import io.swagger.annotations.ApiModel;
import io.swagger.annotations.ApiModelProperty;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipFile;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds the definitions resource that the API server's BuiltinSchemas serves, from Kubernetes' own published
 * models: client-java's generated classes (io.kubernetes:client-java-api) carry upstream's field names, types,
 * required flags and descriptions; fabric8's model packages tell which API group a nested type belongs to,
 * which client-java's class names leave out. Run by {@code DefinitionsResourceTest}; the output is committed
 * so that the server needs neither library at run time.
 */
final class DefinitionsGenerator {

    static final String SOURCE = "io.kubernetes:client-java-api:23.0.0 (Kubernetes 1.32) + kubernetes-types 1.30.0"
            + " + kubernetes-models 5.1.0 (enums, texts of newer types)";

    private static final String MODELS = DefinitionNames.MODELS;
    private static final String META = DefinitionNames.META;
    private static final Pattern CLASS_NAME = DefinitionNames.CLASS_NAME;
    private static final String TIME = META + ".Time";
    private static final String MICRO_TIME = META + ".MicroTime";
    private static final String FIELDS_V1 = META + ".FieldsV1";
    private static final String PATCH = META + ".Patch";
    private static final String QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    private static final String INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    private static final String RAW_EXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension";
    /** Fields whose upstream type is MicroTime; client-java maps it and Time to the same Java type. */
    private static final Set<String> MICRO_TIME_FIELDS = Set.of("eventTime", "acquireTime", "renewTime");

    private final JsonNodeFactory nodes = JsonNodeFactory.instance;
    private Map<Class<?>, String> names;
    private final Map<String, Map<String, String>> refDescriptions = KubernetesTypesDescriptions.load();
    private final Map<String, Map<String, KubernetesModelsFields.ModelField>> modelFields =
            KubernetesModelsFields.load();

    /** The resource's content: {"source": ..., "definitions": {name: schema}}, sorted by name. */
    ObjectNode generate() {
        List<Class<?>> models = modelClasses();
        names = new DefinitionNames(refDescriptions.keySet()).of(models);
        Map<String, ObjectNode> definitions = new TreeMap<>();
        for (Class<?> model : models) {
            definitions.put(names.get(model), schemaOf(model));
        }
        addWellKnownTypes(definitions);
        ObjectNode root = nodes.objectNode();
        root.put("source", SOURCE);
        ObjectNode defs = root.putObject("definitions");
        definitions.forEach(defs::set);
        return root;
    }

    void writeTo(Path file) throws IOException {
        byte[] json = JsonMapper.shared().writeValueAsBytes(generate());
        Files.createDirectories(file.getParent());
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(json);
        }
    }

    private List<Class<?>> modelClasses() {
        List<Class<?>> classes = new ArrayList<>();
        for (String name : classNamesInJarOf(io.kubernetes.client.openapi.models.V1Pod.class, MODELS)) {
            String simple = name.substring(MODELS.length());
            if (simple.contains("$") || !(CLASS_NAME.matcher(simple).matches() || simple.equals("VersionInfo"))) {
                continue;
            }
            classes.add(load(name));
        }
        return classes;
    }

    private ObjectNode schemaOf(Class<?> model) {
        ObjectNode schema = nodes.objectNode();
        String definition = names.get(model);
        Map<String, String> supplement = refDescriptions.getOrDefault(definition, Map.of());
        ApiModel apiModel = model.getAnnotation(ApiModel.class);
        String typeDescription = apiModel != null && !apiModel.description().isEmpty() ? apiModel.description()
                : supplement.get(KubernetesTypesDescriptions.TYPE);
        String upstreamType = supplement.get(KubernetesTypesDescriptions.TYPE);
        if (typeDescription != null && upstreamType != null && flat(typeDescription).equals(flat(upstreamType))) {
            typeDescription = upstreamType;
        }
        if (typeDescription != null) {
            schema.put("description", typeDescription);
        }
        Set<String> required = new TreeSet<>();
        Map<String, ObjectNode> properties = new TreeMap<>();
        for (Field field : model.getDeclaredFields()) {
            SerializedName json = field.getAnnotation(SerializedName.class);
            if (json == null || Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            String name = json.value();
            ObjectNode property = propertySchema(field.getGenericType(), name);
            ApiModelProperty doc = getterAnnotation(model, field);
            String description = describe(name, property, doc, supplement);
            KubernetesModelsFields.ModelField modelField = modelFields.getOrDefault(definition, Map.of()).get(name);
            if (modelField != null && description == null && modelField.values().isEmpty()) {
                description = modelField.description(); // a newer type's field: a later text beats none
            } else if (modelField != null && !modelField.values().isEmpty() && description != null
                    && flat(withoutEnumText(modelField.description())).equals(flat(description))) {
                description = modelField.description();
                ObjectNode target = modelField.items() ? (ObjectNode) property.get("items") : property;
                ArrayNode values = target.putArray("enum");
                modelField.values().forEach(values::add);
            }
            if (description != null) {
                property.put("description", description);
            }
            if (doc != null && doc.required()) {
                required.add(name);
            }
            properties.put(name, property);
        }
        if (!required.isEmpty()) {
            ArrayNode list = schema.putArray("required");
            required.forEach(list::add);
        }
        if (!properties.isEmpty()) {
            ObjectNode props = schema.putObject("properties");
            properties.forEach(props::set);
        }
        schema.put("type", "object");
        String namespace = definition.substring(0, definition.lastIndexOf('.'));
        if (properties.containsKey("apiVersion") && properties.containsKey("kind") && properties.containsKey("metadata")
                && !namespace.equals(META)) {
            ObjectNode gvk = schema.putArray("x-kubernetes-group-version-kind").addObject();
            gvk.put("group", groupOfNamespace(namespace));
            gvk.put("kind", DefinitionNames.typeName(model));
            gvk.put("version", namespace.substring(namespace.lastIndexOf('.') + 1));
        }
        return schema;
    }

    private String groupOfNamespace(String namespace) {
        String withoutVersion = namespace.substring(0, namespace.lastIndexOf('.'));
        String directory = withoutVersion.substring(withoutVersion.lastIndexOf('.') + 1);
        return switch (directory) {
            case "core" -> "";
            case "apps", "batch", "autoscaling", "policy" -> directory;
            case "rbac" -> "rbac.authorization.k8s.io";
            case "flowcontrol" -> "flowcontrol.apiserver.k8s.io";
            case "apiserverinternal" -> "internal.apiserver.k8s.io";
            default -> directory + ".k8s.io";
        };
    }

    /**
     * A field's description. client-java drops it beside a reference, or puts the referenced type's text there
     * (IntOrString, Quantity, Time fields), so for references kubernetes-types' text comes first.
     */
    private String describe(String field, ObjectNode property, ApiModelProperty doc, Map<String, String> supplement) {
        String own = doc == null || doc.value().isEmpty() ? null : doc.value();
        if (property.has("$ref")) {
            String referenced = property.get("$ref").asString();
            String typeText = refDescriptions.getOrDefault(referenced, Map.of()).get(KubernetesTypesDescriptions.TYPE);
            if (own != null && (own.equals(typeText) || WELL_KNOWN.contains(referenced))) {
                own = null;
            }
            return supplement.getOrDefault(field, own != null ? own : standardDescription(field, property));
        }
        String upstream = supplement.get(field);
        if (own != null && upstream != null && flat(own).equals(flat(upstream))) {
            return upstream; // the same text with its paragraphs
        }
        return own != null ? own : upstream != null ? upstream : standardDescription(field, property);
    }

    /** A description without its trailing "Possible enum values:" list. */
    private static String withoutEnumText(String text) {
        int at = text.indexOf("\n\nPossible enum values:");
        return at < 0 ? text : text.substring(0, at);
    }

    private static String flat(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }

    /** Upstream's usual text for the metadata field, where neither source has the field's own. */
    private static String standardDescription(String field, ObjectNode property) {
        if (!field.equals("metadata")) {
            return null;
        }
        return switch (property.path("$ref").asString("")) {
            case META + ".ObjectMeta" -> "Standard object's metadata. More info:"
                    + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
            case META + ".ListMeta" -> "Standard list metadata. More info:"
                    + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
            default -> null;
        };
    }

    private static ApiModelProperty getterAnnotation(Class<?> model, Field field) {
        String javaName = field.getName().startsWith("_") ? field.getName().substring(1) : field.getName();
        String base = Character.toUpperCase(javaName.charAt(0)) + javaName.substring(1);
        for (String prefix : List.of("get", "is")) {
            try {
                return model.getMethod(prefix + base).getAnnotation(ApiModelProperty.class);
            } catch (NoSuchMethodException e) {
                // try the next accessor form
            }
        }
        return null;
    }

    private ObjectNode propertySchema(Type type, String fieldName) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            ObjectNode schema = nodes.objectNode();
            if (List.class.isAssignableFrom(raw)) {
                schema.put("type", "array");
                schema.set("items", propertySchema(args[0], fieldName));
            } else if (Map.class.isAssignableFrom(raw)) {
                schema.put("type", "object");
                schema.set("additionalProperties", propertySchema(args[1], fieldName));
            } else {
                throw new IllegalStateException("unexpected generic type " + type);
            }
            return schema;
        }
        Class<?> c = (Class<?>) type;
        ObjectNode schema = nodes.objectNode();
        String name = c.getName();
        switch (name) {
            case "java.lang.String" -> schema.put("type", "string");
            case "java.lang.Integer", "int" -> schema.put("type", "integer").put("format", "int32");
            case "java.lang.Long", "long" -> schema.put("type", "integer").put("format", "int64");
            case "java.lang.Boolean", "boolean" -> schema.put("type", "boolean");
            case "java.lang.Double", "java.lang.Float", "java.math.BigDecimal" ->
                    schema.put("type", "number").put("format", "double");
            case "[B" -> schema.put("type", "string").put("format", "byte");
            case "java.time.OffsetDateTime" ->
                    schema.put("$ref", MICRO_TIME_FIELDS.contains(fieldName) ? MICRO_TIME : TIME);
            case "io.kubernetes.client.custom.Quantity" -> schema.put("$ref", QUANTITY);
            case "io.kubernetes.client.custom.IntOrString" -> schema.put("$ref", INT_OR_STRING);
            case "io.kubernetes.client.custom.V1Patch" -> schema.put("$ref", PATCH);
            case "java.lang.Object" -> {
                if (fieldName.equals("fieldsV1")) {
                    schema.put("$ref", FIELDS_V1);
                } else if (fieldName.equals("object") || fieldName.equals("data")) {
                    schema.put("$ref", RAW_EXTENSION);
                } else {
                    schema.put("type", "object").put("x-kubernetes-preserve-unknown-fields", true);
                }
            }
            default -> {
                String ref = names.get(c);
                if (ref == null) {
                    throw new IllegalStateException("no definition for " + c + " (field " + fieldName + ")");
                }
                schema.put("$ref", ref);
            }
        }
        return schema;
    }

    /** Schemas client-java replaces with Java types; their text is upstream's, shortened to its first paragraph. */
    private void addWellKnownTypes(Map<String, ObjectNode> definitions) {
        addWellKnownTypeTexts(definitions);
        for (Map.Entry<String, ObjectNode> e : definitions.entrySet()) {
            String upstream = refDescriptions.getOrDefault(e.getKey(), Map.of()).get(KubernetesTypesDescriptions.TYPE);
            if (upstream != null && WELL_KNOWN.contains(e.getKey())) {
                e.getValue().put("description", upstream);
            }
        }
    }

    private static final Set<String> WELL_KNOWN =
            Set.of(TIME, MICRO_TIME, FIELDS_V1, PATCH, QUANTITY, INT_OR_STRING, RAW_EXTENSION);

    private void addWellKnownTypeTexts(Map<String, ObjectNode> definitions) {
        definitions.put(TIME, nodes.objectNode()
                .put("description", "Time is a wrapper around time.Time which supports correct marshaling to YAML and"
                        + " JSON.  Wrappers are provided for many of the factory methods that the time package offers.")
                .put("type", "string").put("format", "date-time"));
        definitions.put(MICRO_TIME, nodes.objectNode()
                .put("description", "MicroTime is version of Time with microsecond level precision.")
                .put("type", "string").put("format", "date-time"));
        definitions.put(QUANTITY, nodes.objectNode()
                .put("description", "Quantity is a fixed-point representation of a number. It provides convenient"
                        + " marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.")
                .put("type", "string"));
        definitions.put(INT_OR_STRING, nodes.objectNode()
                .put("description", "IntOrString is a type that can hold an int32 or a string.  When used in JSON or"
                        + " YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows"
                        + " you to have, for example, a JSON field that can accept a name or number.")
                .put("type", "string").put("format", "int-or-string"));
        definitions.put(FIELDS_V1, nodes.objectNode()
                .put("description", "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.")
                .put("type", "object"));
        definitions.put(PATCH, nodes.objectNode()
                .put("description", "Patch is provided to give a concrete name and type to the Kubernetes PATCH"
                        + " request body.")
                .put("type", "object"));
        definitions.put(RAW_EXTENSION, nodes.objectNode()
                .put("description", "RawExtension is used to hold extensions in external versions.")
                .put("type", "object"));
    }

    static List<String> classNamesInJarOf(Class<?> anchor, String packagePrefix) {
        try (ZipFile jar = new ZipFile(Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toFile())) {
            String dir = packagePrefix.replace('.', '/');
            return jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith(dir) && n.endsWith(".class"))
                    .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                    .sorted().toList();
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list classes of " + anchor, e);
        }
    }

    static Class<?> load(String name) {
        try {
            return Class.forName(name, false, DefinitionsGenerator.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws IOException {
        new DefinitionsGenerator().writeTo(Path.of(args[0]));
    }
}

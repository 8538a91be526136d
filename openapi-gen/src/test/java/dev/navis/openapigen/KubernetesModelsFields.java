package dev.navis.openapigen;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What neither client-java nor kubernetes-types keep: the enum values of string fields with upstream's text about
 * them ("Possible enum values: ..."), and the descriptions of reference fields of types newer than
 * kubernetes-types 1.30. Read from the npm package kubernetes-models (TypeScript declarations generated from
 * upstream's OpenAPI document; 5.1.0 follows a Kubernetes newer than 1.32, so the generator takes an enum only
 * where the description otherwise equals the 1.32 one, and a description only where it has none).
 *
 * <p>To refresh the committed extract: {@code npm pack kubernetes-models@5.1.0}, unpack it, and run
 * {@code main(<unpacked>/package,
 * openapi-gen/src/test/resources/dev/navis/openapigen/kubernetes-models-fields.json.gz)}.
 */
final class KubernetesModelsFields {

    static final String RESOURCE = "kubernetes-models-fields.json.gz";

    /**
     * One field: its enum values (empty if none), whether they are those of the array's items, and the full
     * description.
     */
    record ModelField(List<String> values, boolean items, String description) {
    }

    private static final Pattern INTERFACE = Pattern.compile("^export interface I(\\w+) \\{");
    private static final Pattern FIELD = Pattern.compile("^\\s+\"([$\\w-]+)\"\\??: (Array<)?((?:\"[^\"]*\")(?: \\| \"[^\"]*\")*)>?;$");
    /** A field whose type refers to another model, e.g. {@code "resources"?: IIoK8sApiCoreV1ResourceRequirements;}. */
    private static final Pattern REFERENCE_FIELD = Pattern.compile("^\\s+\"([$\\w-]+)\"\\??: .*\\bIIoK8s\\w+.*;$");
    private static final Pattern LITERAL = Pattern.compile("\"([^\"]*)\"");

    private KubernetesModelsFields() {
    }

    static Map<String, Map<String, ModelField>> parse(Path packageDir) throws IOException {
        Map<String, Map<String, ModelField>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(packageDir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".d.ts")).sorted().toList()) {
                Path relative = packageDir.relativize(file);
                String namespace = namespaceOf(relative);
                if (namespace != null) {
                    parseFile(Files.readAllLines(file), namespace, out);
                }
            }
        }
        return out;
    }

    /** "v1/Container.d.ts" is core/v1; "apps/v1/Deployment.d.ts" is apps/v1; others are not model files. */
    private static String namespaceOf(Path relative) {
        if (relative.getNameCount() == 2 && relative.getName(0).toString().equals("v1")) {
            return "io.k8s.api.core.v1";
        }
        if (relative.getNameCount() == 3 && !relative.getName(0).toString().startsWith("_")) {
            String group = relative.getName(0).toString();
            return DefinitionNames.packageOf(DefinitionNames.groupDirectory(group),
                    relative.getName(1).toString());
        }
        return null;
    }

    private static void parseFile(List<String> lines, String namespace, Map<String, Map<String, ModelField>> out) {
        String type = null;
        String doc = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.startsWith("/**")) {
                if (trimmed.endsWith("*/")) {
                    doc = trimmed.substring(3, trimmed.length() - 2).strip();
                } else {
                    List<String> body = new ArrayList<>();
                    while (!lines.get(++i).strip().equals("*/")) {
                        String l = lines.get(i).stripLeading();
                        body.add(l.startsWith("* ") ? l.substring(2) : l.startsWith("*") ? l.substring(1) : l);
                    }
                    doc = String.join("\n", body).strip();
                }
                continue;
            }
            Matcher m;
            if ((m = INTERFACE.matcher(line)).find()) {
                type = namespace + "." + m.group(1);
            } else if (line.startsWith("}")) {
                type = null;
            } else if (type != null && (m = FIELD.matcher(line)).find()) {
                List<String> values = new ArrayList<>();
                Matcher literal = LITERAL.matcher(m.group(3));
                while (literal.find()) {
                    values.add(literal.group(1));
                }
                out.computeIfAbsent(type, k -> new TreeMap<>())
                        .put(m.group(1), new ModelField(values, m.group(2) != null, doc == null ? "" : doc));
            } else if (type != null && doc != null && (m = REFERENCE_FIELD.matcher(line)).find()) {
                out.computeIfAbsent(type, k -> new TreeMap<>()).put(m.group(1), new ModelField(List.of(), false, doc));
            }
            doc = null;
        }
    }

    /** The committed extract. */
    static Map<String, Map<String, ModelField>> load() {
        try (InputStream in = KubernetesModelsFields.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE);
            }
            JsonNode root = JsonMapper.shared().readTree(new GZIPInputStream(in));
            Map<String, Map<String, ModelField>> out = new TreeMap<>();
            for (Map.Entry<String, JsonNode> type : root.properties()) {
                Map<String, ModelField> fields = new TreeMap<>();
                for (Map.Entry<String, JsonNode> f : type.getValue().properties()) {
                    List<String> values = new ArrayList<>();
                    f.getValue().path("enum").forEach(v -> values.add(v.asString()));
                    fields.put(f.getKey(), new ModelField(values, f.getValue().path("items").asBoolean(),
                            f.getValue().path("description").asString()));
                }
                out.put(type.getKey(), fields);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws IOException {
        ObjectNode root = JsonMapper.shared().createObjectNode();
        parse(Path.of(args[0])).forEach((type, fields) -> {
            ObjectNode node = root.putObject(type);
            fields.forEach((name, e) -> {
                ObjectNode f = node.putObject(name);
                if (!e.values().isEmpty()) {
                    ArrayNode values = f.putArray("enum");
                    e.values().forEach(values::add);
                }
                if (e.items()) {
                    f.put("items", true);
                }
                f.put("description", e.description());
            });
        });
        Path out = Path.of(args[1]);
        Files.createDirectories(out.getParent());
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(out))) {
            o.write(JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        }
    }
}

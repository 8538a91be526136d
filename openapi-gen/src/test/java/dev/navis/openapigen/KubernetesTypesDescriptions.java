package dev.navis.openapigen;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import tools.jackson.databind.node.ObjectNode;

/**
 * Descriptions that client-java's models drop or flatten: those of fields whose type is another definition
 * (openapi-generator discards a description next to a {@code $ref}), those of the types client-java replaces by
 * Java classes (Time, Quantity, IntOrString...), and multi-paragraph texts (client-java joins the paragraphs). They are read from the npm package kubernetes-types (TypeScript declarations
 * generated from upstream's OpenAPI document, Kubernetes 1.30), whose doc comments keep them.
 *
 * <p>To refresh the committed extract: {@code npm pack kubernetes-types@1.30.0}, unpack it, and run
 * {@code main(<unpacked>/package, openapi-gen/src/test/resources/dev/navis/openapigen/ref-descriptions.json.gz)}.
 */
final class KubernetesTypesDescriptions {

    static final String RESOURCE = "ref-descriptions.json.gz";
    /** Key of a type's own description in a definition's map. */
    static final String TYPE = "";

    private static final Pattern INTERFACE = Pattern.compile("^export interface (\\w+) \\{");
    private static final Pattern ALIAS = Pattern.compile("^export type (\\w+) = .*;");
    private static final Pattern FIELD = Pattern.compile("^\\s+(?:readonly )?\"?([$\\w-]+)\"?\\??: (.+);$");
    /** Field types whose descriptions client-java keeps: primitives, arrays and maps. */
    private static final Pattern KEPT_TYPE = Pattern.compile("^(string|number|boolean|Array<.*>|\\{.*\\}|\".*\")$");

    private KubernetesTypesDescriptions() {
    }

    /** definition name -> (field name, or {@link #TYPE}) -> description, from the package's .d.ts files. */
    static Map<String, Map<String, String>> parse(Path packageDir) throws IOException {
        Map<String, Map<String, String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(packageDir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".d.ts")).sorted().toList()) {
                String relative = packageDir.relativize(file).toString();
                String namespace = namespaceOf(relative.substring(0, relative.length() - ".d.ts".length()));
                if (namespace != null) {
                    parseFile(Files.readAllLines(file), namespace, out);
                }
            }
        }
        return out;
    }

    /** Upstream's definition namespace for a kubernetes-types module path such as "core/v1" or "meta/v1". */
    static String namespaceOf(String module) {
        return switch (module) {
            case "meta/v1" -> "io.k8s.apimachinery.pkg.apis.meta.v1";
            case "api/resource" -> "io.k8s.apimachinery.pkg.api.resource";
            case "util/intstr" -> "io.k8s.apimachinery.pkg.util.intstr";
            case "runtime" -> "io.k8s.apimachinery.pkg.runtime";
            case "version" -> "io.k8s.apimachinery.pkg.version";
            default -> {
                int slash = module.indexOf('/');
                yield slash < 0 || module.indexOf('/', slash + 1) >= 0 ? null
                        : DefinitionNames.packageOf(module.substring(0, slash), module.substring(slash + 1));
            }
        };
    }

    private static void parseFile(List<String> lines, String namespace, Map<String, Map<String, String>> out) {
        String currentType = null;
        String pendingDoc = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.startsWith("/**")) {
                StringBuilder doc = new StringBuilder();
                if (trimmed.endsWith("*/")) {
                    doc.append(trimmed, 3, trimmed.length() - 2);
                } else {
                    List<String> body = new java.util.ArrayList<>();
                    while (!lines.get(++i).strip().equals("*/")) {
                        String l = lines.get(i).stripLeading();
                        l = l.startsWith("* ") ? l.substring(2) : l.startsWith("*") ? l.substring(1) : l;
                        body.add(l);
                    }
                    doc.append(String.join("\n", body));
                }
                pendingDoc = doc.toString().strip();
                continue;
            }
            Matcher m;
            if ((m = INTERFACE.matcher(line)).find()) {
                currentType = namespace + "." + m.group(1);
                put(out, currentType, TYPE, pendingDoc);
            } else if ((m = ALIAS.matcher(line)).find()) {
                put(out, namespace + "." + m.group(1), TYPE, pendingDoc);
                currentType = null;
            } else if (line.startsWith("}")) {
                currentType = null;
            } else if (currentType != null && (m = FIELD.matcher(line)).find() && (!KEPT_TYPE.matcher(m.group(2))
                    .matches() || pendingDoc != null && pendingDoc.contains("\n"))) {
                // client-java also flattens paragraphs: keep multi-line texts of all fields
                put(out, currentType, m.group(1), pendingDoc);
            }
            pendingDoc = null;
        }
    }

    private static void put(Map<String, Map<String, String>> out, String type, String key, String doc) {
        if (doc != null && !doc.isEmpty()) {
            out.computeIfAbsent(type, k -> new TreeMap<>()).put(key, doc);
        }
    }

    /** The committed extract. */
    static Map<String, Map<String, String>> load() {
        try (InputStream in = KubernetesTypesDescriptions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + RESOURCE);
            }
            JsonNode root = JsonMapper.shared().readTree(new GZIPInputStream(in));
            Map<String, Map<String, String>> out = new TreeMap<>();
            for (Map.Entry<String, JsonNode> type : root.properties()) {
                Map<String, String> fields = new TreeMap<>();
                type.getValue().properties().forEach(f -> fields.put(f.getKey(), f.getValue().asString()));
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
            fields.forEach(node::put);
        });
        Path out = Path.of(args[1]);
        Files.createDirectories(out.getParent());
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(out))) {
            o.write(JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        }
    }
}

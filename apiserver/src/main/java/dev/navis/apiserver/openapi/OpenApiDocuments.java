package dev.navis.apiserver.openapi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import dev.navis.api.ResourceDefinition;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The serialized OpenAPI documents with their hashes, built on first use and then kept as gzipped bytes only
 * (the schema trees they are built from are dropped).
 */
final class OpenApiDocuments {

    /**
     * A serialized document, kept gzipped (clients such as kubectl accept gzip; documents shrink about tenfold),
     * and upstream's ETag for it: the hex SHA-512 of the uncompressed JSON.
     */
    record Rendered(byte[] gzipped, String etag) {
        static Rendered of(ObjectNode doc) {
            byte[] json = JsonMapper.shared().writeValueAsBytes(doc);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-512").digest(json);
                ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 8);
                try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
                    gzip.write(json);
                }
                return new Rendered(out.toByteArray(), HexFormat.of().withUpperCase().formatHex(digest));
            } catch (NoSuchAlgorithmException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The uncompressed JSON. */
        byte[] json() {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final ApiSurface surface;
    private final String kubernetesVersion;
    private final BuiltinSchemas schemas;
    private Supplier<List<ResourceDefinition>> customResources = List::of;
    private Map<String, Rendered> v3;
    private Rendered v3Root;
    private Rendered v2;
    /** The custom resources the custom documents were built from, and those documents. */
    private List<ResourceDefinition> customBuiltFrom = List.of();
    private Map<String, Rendered> customV3 = Map.of();

    OpenApiDocuments(ApiSurface surface, String kubernetesVersion, BuiltinSchemas schemas) {
        this.surface = surface;
        this.kubernetesVersion = kubernetesVersion;
        this.schemas = schemas;
    }

    /** Where the served custom resources come from; their documents are rebuilt whenever the list changes. */
    synchronized void useCustomResources(Supplier<List<ResourceDefinition>> source) {
        this.customResources = source;
    }

    /** "api/v1", "apis/apps/v1"... -> that group-version's v3 document (custom resources' included). */
    synchronized Map<String, Rendered> v3() {
        if (v3 == null) {
            v3 = render(surface);
        }
        List<ResourceDefinition> custom = customResources.get();
        if (!custom.equals(customBuiltFrom)) {
            customV3 = custom.isEmpty() ? Map.of() : render(new ApiSurface(custom, schemas));
            customBuiltFrom = custom;
            v3Root = null;
        }
        if (customV3.isEmpty()) {
            return v3;
        }
        Map<String, Rendered> all = new LinkedHashMap<>(v3);
        all.putAll(customV3);
        return all;
    }

    private Map<String, Rendered> render(ApiSurface from) {
        OpenApiV3Builder builder = new OpenApiV3Builder(from, kubernetesVersion);
        Map<String, Rendered> docs = new LinkedHashMap<>();
        for (Map.Entry<String, List<ApiPath>> e : from.pathsByGroupVersion().entrySet()) {
            docs.put(e.getKey(), Rendered.of(builder.build(e.getKey(), e.getValue())));
        }
        return Map.copyOf(docs);
    }

    /** The v3 discovery document: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}}}. */
    synchronized Rendered v3Root() {
        v3(); // drops the cached root when the custom resources changed
        if (v3Root == null) {
            ObjectNode root = JsonMapper.shared().createObjectNode();
            ObjectNode paths = root.putObject("paths");
            v3().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                    paths.putObject(e.getKey()).put("serverRelativeURL", serverRelativeUrl(e.getKey(), e.getValue())));
            v3Root = Rendered.of(root);
        }
        return v3Root;
    }

    static String serverRelativeUrl(String groupVersion, Rendered doc) {
        return "/openapi/v3/" + groupVersion + "?hash=" + doc.etag();
    }

    synchronized Rendered v2() {
        if (v2 == null) {
            v2 = Rendered.of(new OpenApiV2Builder(surface, kubernetesVersion).build(surface.pathsByGroupVersion()));
        }
        return v2;
    }
}

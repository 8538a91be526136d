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
    private Map<String, Rendered> v3;
    private Rendered v3Root;
    private Rendered v2;

    OpenApiDocuments(ApiSurface surface, String kubernetesVersion) {
        this.surface = surface;
        this.kubernetesVersion = kubernetesVersion;
    }

    /** "api/v1", "apis/apps/v1"... -> that group-version's v3 document. */
    synchronized Map<String, Rendered> v3() {
        if (v3 == null) {
            OpenApiV3Builder builder = new OpenApiV3Builder(surface, kubernetesVersion);
            Map<String, Rendered> docs = new LinkedHashMap<>();
            for (Map.Entry<String, List<ApiPath>> e : surface.pathsByGroupVersion().entrySet()) {
                docs.put(e.getKey(), Rendered.of(builder.build(e.getKey(), e.getValue())));
            }
            v3 = Map.copyOf(docs);
        }
        return v3;
    }

    /** The v3 discovery document: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=..."}}}. */
    synchronized Rendered v3Root() {
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

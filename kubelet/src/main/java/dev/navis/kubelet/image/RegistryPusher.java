package dev.navis.kubelet.image;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Pushes an {@link OciImageBuilder.OciImage} to a registry through the distribution API (blob uploads
 * in one PUT each, then the manifest under its tag), over plain HTTP or HTTPS, optionally with basic
 * authentication.
 */
public final class RegistryPusher {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final String scheme;
    private final String authorization;

    /**
     * @param plainHttp talk HTTP instead of HTTPS (local registries)
     * @param username  basic-auth user, or {@code null}
     * @param password  basic-auth password
     */
    public RegistryPusher(boolean plainHttp, String username, String password) {
        this.scheme = plainHttp ? "http" : "https";
        this.authorization = username == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes());
    }

    /** Pushes to {@code target} (host[:port]/repo[:tag]); returns the manifest digest. */
    public String push(OciImageBuilder.OciImage image, String target) throws IOException, InterruptedException {
        String host = ImageReference.host(target);
        String repo = ImageReference.repository(target);
        String tag = ImageReference.tag(target);
        String base = scheme + "://" + host + "/v2/" + repo;
        List<OciImageBuilder.Descriptor> blobs = new ArrayList<>(image.layers());
        blobs.add(image.config());
        for (OciImageBuilder.Descriptor d : blobs) {
            HttpResponse<Void> head = http.send(request(URI.create(base + "/blobs/" + d.digest()))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            if (head.statusCode() == 200) {
                continue;
            }
            HttpResponse<String> start = http.send(request(URI.create(base + "/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (start.statusCode() != 202) {
                throw new IOException("starting a blob upload to " + base + ": HTTP " + start.statusCode() + " " + start.body());
            }
            String location = start.headers().firstValue("Location")
                    .orElseThrow(() -> new IOException("registry gave no upload Location"));
            URI upload = URI.create(base).resolve(location);
            String sep = upload.getQuery() == null ? "?" : "&";
            HttpResponse<String> put = http.send(request(URI.create(upload + sep + "digest=" + d.digest()))
                            .header("Content-Type", "application/octet-stream")
                            .PUT(HttpRequest.BodyPublishers.ofFile(image.blob(d))).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() != 201) {
                throw new IOException("uploading " + d.digest() + ": HTTP " + put.statusCode() + " " + put.body());
            }
        }
        HttpResponse<String> manifest = http.send(request(URI.create(base + "/manifests/" + tag))
                        .header("Content-Type", image.manifest().mediaType())
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(image.blob(image.manifest())))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (manifest.statusCode() != 201) {
            throw new IOException("putting the manifest " + target + ": HTTP " + manifest.statusCode() + " " + manifest.body());
        }
        return image.manifest().digest();
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return b;
    }
}

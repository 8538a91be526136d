package dev.navis.apiserver.server;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import tools.jackson.databind.json.JsonMapper;

/** {@code GET /version}: upstream's version.Info, telling clients which Kubernetes API level Navis serves. */
public final class VersionHandler extends Handler.Abstract.NonBlocking {
    /** The Kubernetes release whose API Navis follows. */
    public static final String MAJOR = "1";
    public static final String MINOR = "32";
    public static final String GIT_VERSION = "v1.32.0-navis";
    /** The time this build's API level was fixed; a constant so /version is stable across restarts. */
    public static final String BUILD_DATE = "2026-11-21T00:00:00Z";

    private final byte[] body;

    public VersionHandler() {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("major", MAJOR);
        info.put("minor", MINOR);
        info.put("gitVersion", GIT_VERSION);
        info.put("gitCommit", "0000000000000000000000000000000000000000");
        info.put("gitTreeState", "clean");
        info.put("buildDate", BUILD_DATE);
        info.put("goVersion", "java" + Runtime.version().feature());
        info.put("compiler", "navis");
        info.put("platform", platform());
        this.body = JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsBytes(info);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            StatusResponse.write(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405,
                    "the server does not allow this method on the requested resource");
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /** GOOS/GOARCH spelling of this JVM's platform, e.g. linux/amd64. */
    static String platform() {
        String os = System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT);
        String goos = os.startsWith("windows") ? "windows" : os.startsWith("mac") ? "darwin" : os.replace(' ', '-');
        String arch = System.getProperty("os.arch", "amd64").toLowerCase(Locale.ROOT);
        String goarch = switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> arch;
        };
        return goos + "/" + goarch;
    }
}

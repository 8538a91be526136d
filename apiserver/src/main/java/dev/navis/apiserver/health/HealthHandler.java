package dev.navis.apiserver.health;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.navis.apiserver.server.StatusResponse;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One health endpoint ({@code /healthz}, {@code /livez} or {@code /readyz}) as upstream serves it: "ok" when every
 * check passes; with {@code ?verbose} one {@code [+]name ok} line per check and {@code <name> check passed};
 * on a failure 500 with {@code [-]name failed: reason withheld} lines and {@code <name> check failed};
 * {@code ?exclude=name} skips a check; {@code /<endpoint>/<check>} runs one check.
 */
public final class HealthHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(HealthHandler.class);

    private final String name;
    private final List<HealthCheck> checks;

    /** @param name "healthz", "livez" or "readyz": the path (without '/') and the word in the summary line */
    public HealthHandler(String name, List<HealthCheck> checks) {
        this.name = name;
        this.checks = List.copyOf(checks);
    }

    public String path() {
        return "/" + name;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
            StatusResponse.write(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405,
                    "the server does not allow this method on the requested resource");
            return true;
        }
        String path = Request.getPathInContext(request);
        if (path.equals(path()) || path.equals(path() + "/")) {
            all(request, response, callback);
            return true;
        }
        String checkName = path.substring(path().length() + 1);
        for (HealthCheck check : checks) {
            if (check.name().equals(checkName)) {
                one(check, response, callback);
                return true;
            }
        }
        return false;
    }

    private void all(Request request, Response response, Callback callback) {
        Fields query = Request.extractQueryParameters(request);
        Set<String> excluded = new LinkedHashSet<>();
        List<String> excludes = query.getValues("exclude");
        if (excludes != null) {
            excluded.addAll(excludes);
        }
        StringBuilder lines = new StringBuilder();
        boolean failed = false;
        for (HealthCheck check : checks) {
            if (excluded.remove(check.name())) {
                lines.append("[+]").append(check.name()).append(" excluded: ok\n");
                continue;
            }
            Exception failure = run(check);
            if (failure == null) {
                lines.append("[+]").append(check.name()).append(" ok\n");
            } else {
                failed = true;
                lines.append("[-]").append(check.name()).append(" failed: reason withheld\n");
            }
        }
        if (!excluded.isEmpty()) {
            lines.append("warn: some health checks cannot be excluded: no matches for ");
            lines.append(String.join(",", excluded.stream().map(e -> "\"" + e + "\"").toList())).append('\n');
        }
        if (failed) {
            // always verbose on failure
            write(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, lines + name + " check failed\n");
        } else if (query.get("verbose") == null) {
            write(response, callback, 200, "ok");
        } else {
            write(response, callback, 200, lines + name + " check passed\n");
        }
    }

    private void one(HealthCheck check, Response response, Callback callback) {
        Exception failure = run(check);
        if (failure == null) {
            write(response, callback, 200, "ok");
        } else {
            write(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500, "internal server error: " + failure.getMessage() + "\n");
        }
    }

    private Exception run(HealthCheck check) {
        try {
            check.check();
            return null;
        } catch (Exception e) {
            LOG.debug("{} check {} failed: {}", name, check.name(), e.toString());
            return e;
        }
    }

    private static void write(Response response, Callback callback, int status, String text) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.write(true, java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), callback);
    }
}

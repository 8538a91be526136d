package dev.navis.apiserver.openapi;

import dev.navis.apiserver.openapi.OpenApiDocuments.Rendered;
import dev.navis.apiserver.server.StatusResponse;
import java.nio.ByteBuffer;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves /openapi/v2, /openapi/v3 and /openapi/v3/{group-version} like kube-openapi's handlers: JSON only
 * (a request accepting only protobuf gets 406, so that clients fall back), ETags, and immutable caching of
 * hash-addressed v3 documents. Declines (returns false for) every other path.
 */
final class OpenApiHandler extends Handler.Abstract {

    private static final String V2 = "/openapi/v2";
    private static final String V3 = "/openapi/v3";

    private final OpenApiDocuments documents;

    OpenApiHandler(OpenApiDocuments documents) {
        this.documents = documents;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (!path.equals(V2) && !path.equals(V3) && !path.startsWith(V3 + "/")) {
            return false;
        }
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            StatusResponse.write(response, callback, 405,
                    "the server does not allow this method on the requested resource");
            return true;
        }
        if (path.equals(V3) || path.equals(V3 + "/")) {
            send(request, response, callback, documents.v3Root());
            return true;
        }
        if (!acceptsJson(request.getHeaders().get(HttpHeader.ACCEPT))) {
            response.setStatus(406);
            callback.succeeded();
            return true;
        }
        if (path.equals(V2)) {
            send(request, response, callback, documents.v2());
            return true;
        }
        String groupVersion = path.substring(V3.length() + 1);
        Rendered doc = documents.v3().get(groupVersion);
        if (doc == null) {
            StatusResponse.write(response, callback, 404, "the server could not find the requested resource");
            return true;
        }
        response.getHeaders().put(HttpHeader.VARY, "Accept");
        String hash = Request.extractQueryParameters(request).getValue("hash");
        if (hash != null && !hash.isEmpty()) {
            if (!hash.equals(doc.etag())) {
                Response.sendRedirect(request, response, callback, 301,
                        OpenApiDocuments.serverRelativeUrl(groupVersion, doc), true);
                return true;
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "public, immutable");
            response.getHeaders().put(HttpHeader.EXPIRES, DateTimeFormatter.RFC_1123_DATE_TIME
                    .format(ZonedDateTime.now(ZoneOffset.UTC).plusYears(1)));
        }
        send(request, response, callback, doc);
        return true;
    }

    /** True when the Accept header allows JSON: absent, or naming application/json, application/* or *&#47;*. */
    static boolean acceptsJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return true;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].strip().toLowerCase();
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].strip().replace(" ", "");
                if (param.equals("q=0") || param.matches("q=0\\.0*")) {
                    refused = true;
                }
            }
            if (!refused && (type.equals("application/json") || type.equals("application/*") || type.equals("*/*"))) {
                return true;
            }
        }
        return false;
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.split(";");
            if (parts[0].strip().equalsIgnoreCase("gzip")
                    && !(parts.length > 1 && parts[1].replace(" ", "").matches("q=0(\\.0*)?"))) {
                return true;
            }
        }
        return false;
    }

    private static void send(Request request, Response response, Callback callback, Rendered doc) {
        String etag = '"' + doc.etag() + '"';
        response.getHeaders().put(HttpHeader.ETAG, etag);
        String ifNoneMatch = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
        if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.strip().equals("*"))) {
            response.setStatus(304);
            callback.succeeded();
            return;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().add(HttpHeader.VARY, "Accept-Encoding");
        boolean gzip = acceptsGzip(request.getHeaders().get(HttpHeader.ACCEPT_ENCODING));
        byte[] body = gzip ? doc.gzipped() : doc.json();
        if (gzip) {
            response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (request.getMethod().equals("HEAD")) {
            callback.succeeded();
            return;
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}

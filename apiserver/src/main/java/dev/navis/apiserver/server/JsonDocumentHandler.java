package dev.navis.apiserver.server;

import java.nio.ByteBuffer;
import java.util.function.Supplier;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code GET} of one JSON document (the service-account issuer's OpenID discovery and JWKS documents). */
public final class JsonDocumentHandler extends Handler.Abstract.NonBlocking {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private final Supplier<JsonNode> document;

    public JsonDocumentHandler(Supplier<JsonNode> document) {
        this.document = document;
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
        response.write(true, ByteBuffer.wrap(MAPPER.writeValueAsBytes(document.get())), callback);
        return true;
    }
}

package dev.navis.apiserver.openapi;

import java.util.List;

/**
 * One HTTP operation on an API path, independent of the OpenAPI version it is rendered in.
 *
 * @param method       "get", "post", "put", "patch" or "delete"
 * @param id           upstream's operationId, e.g. "listCoreV1NamespacedPod"
 * @param description  e.g. "list or watch objects of kind Pod"
 * @param action       x-kubernetes-action: get, list, post, put, patch, delete, deletecollection
 * @param gvk          x-kubernetes-group-version-kind of the operation
 * @param parameters   the operation's own query parameters (path parameters belong to the path)
 * @param body         what the request carries
 * @param bodySchema   definition name of the request body, null without body
 * @param response     definition name of the successful response
 * @param codes        the success codes, e.g. [200, 201, 202]
 * @param watchable    whether the response can be a watch stream (list operations)
 */
record Operation(String method, String id, String description, String action, GroupVersionKind gvk,
                 List<Parameter> parameters, Body body, String bodySchema, String response, List<Integer> codes,
                 boolean watchable) {

    /** The kinds of request body. */
    enum Body {
        NONE, OBJECT, PATCH, DELETE_OPTIONS
    }

    /** A group, version and kind, as x-kubernetes-group-version-kind names it. */
    record GroupVersionKind(String group, String version, String kind) {
    }
}

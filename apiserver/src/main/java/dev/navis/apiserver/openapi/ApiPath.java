package dev.navis.apiserver.openapi;

import java.util.List;

/**
 * One URL path of the API with its operations.
 *
 * @param path           e.g. "/api/v1/namespaces/{namespace}/pods/{name}"
 * @param pathParameters the parameters shared by all operations: {name}, {namespace}, pretty
 * @param operations     in the order get, put, post, delete, patch
 */
record ApiPath(String path, List<Parameter> pathParameters, List<Operation> operations) {
}

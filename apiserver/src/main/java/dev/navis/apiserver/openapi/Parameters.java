package dev.navis.apiserver.openapi;

import java.util.List;

/** The parameters the API server accepts on each kind of operation, with upstream's descriptions. */
final class Parameters {

    static final Parameter PRETTY = Parameter.query("pretty", "string",
            "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a"
                    + " browser or command-line HTTP tool (curl and wget).");
    static final Parameter NAMESPACE = Parameter.path("namespace",
            "object name and auth scope, such as for teams and projects");

    static final Parameter DRY_RUN = Parameter.query("dryRun", "string",
            "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun"
                    + " directive will result in an error response and no further processing of the request. Valid"
                    + " values are: - All: all dry run stages will be processed");
    static final Parameter FIELD_MANAGER = Parameter.query("fieldManager", "string",
            "fieldManager is a name associated with the actor or entity that is making these changes. The value"
                    + " must be less than or 128 characters long, and only contain printable characters, as defined"
                    + " by https://golang.org/pkg/unicode/#IsPrint.");
    static final Parameter PATCH_FIELD_MANAGER = Parameter.query("fieldManager", "string",
            "fieldManager is a name associated with the actor or entity that is making these changes. The value"
                    + " must be less than or 128 characters long, and only contain printable characters, as defined"
                    + " by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests"
                    + " (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch,"
                    + " StrategicMergePatch).");
    static final Parameter FIELD_VALIDATION = Parameter.query("fieldValidation", "string",
            "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH)"
                    + " containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any"
                    + " unknown fields that are silently dropped from the object, and will ignore all but the last"
                    + " duplicate field that the decoder encounters. This is the default behavior prior to v1.23."
                    + " - Warn: This will send a warning via the standard warning response header for each unknown"
                    + " field that is dropped from the object, and for each duplicate field that is encountered. The"
                    + " request will still succeed if there are no other errors, and will only persist the last of"
                    + " any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with"
                    + " a BadRequest error if any unknown fields would be dropped from the object, or if any"
                    + " duplicate fields are present. The error returned from the server will contain all unknown"
                    + " and duplicate fields encountered.");
    static final Parameter FORCE = Parameter.query("force", "boolean",
            "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by"
                    + " other people. Force flag must be unset for non-apply patch requests.");

    static final Parameter ALLOW_WATCH_BOOKMARKS = Parameter.query("allowWatchBookmarks", "boolean",
            "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not implement"
                    + " bookmarks may ignore this flag and bookmarks are sent at the server's discretion. Clients"
                    + " should not assume bookmarks are returned at any specific interval, nor may they assume the"
                    + " server will send any BOOKMARK event during a session. If this is not a watch, this field is"
                    + " ignored.");
    static final Parameter CONTINUE = Parameter.query("continue", "string",
            "The continue option should be set when retrieving more results from the server. Since this value is"
                    + " server defined, clients may only use the continue value from a previous query result with"
                    + " identical query parameters (except for the value of continue) and the server may reject a"
                    + " continue value it does not recognize. If the specified continue value is no longer valid"
                    + " whether due to expiration (generally five to fifteen minutes) or a configuration change on"
                    + " the server, the server will respond with a 410 ResourceExpired error together with a"
                    + " continue token.");
    static final Parameter FIELD_SELECTOR = Parameter.query("fieldSelector", "string",
            "A selector to restrict the list of returned objects by their fields. Defaults to everything.");
    static final Parameter LABEL_SELECTOR = Parameter.query("labelSelector", "string",
            "A selector to restrict the list of returned objects by their labels. Defaults to everything.");
    static final Parameter LIMIT = Parameter.query("limit", "integer",
            "limit is a maximum number of responses to return for a list call. If more items exist, the server"
                    + " will set the `continue` field on the list metadata to a value that can be used with the same"
                    + " initial query to retrieve the next set of results.");
    static final Parameter RESOURCE_VERSION = Parameter.query("resourceVersion", "string",
            "resourceVersion sets a constraint on what resource versions a request may be served from. See"
                    + " https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for"
                    + " details.\n\nDefaults to unset");
    static final Parameter RESOURCE_VERSION_MATCH = Parameter.query("resourceVersionMatch", "string",
            "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended"
                    + " that resourceVersionMatch be set for list calls where resourceVersion is set See"
                    + " https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for"
                    + " details.\n\nDefaults to unset");
    static final Parameter SEND_INITIAL_EVENTS = Parameter.query("sendInitialEvents", "boolean",
            "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will"
                    + " begin with synthetic events to produce the current state of objects in the collection. Once"
                    + " all such events have been sent, a synthetic \"Bookmark\" event  will be sent.");
    static final Parameter TIMEOUT_SECONDS = Parameter.query("timeoutSeconds", "integer",
            "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or"
                    + " inactivity.");
    static final Parameter WATCH = Parameter.query("watch", "boolean",
            "Watch for changes to the described resources and return them as a stream of add, update, and remove"
                    + " notifications. Specify resourceVersion.");

    static final Parameter GRACE_PERIOD_SECONDS = Parameter.query("gracePeriodSeconds", "integer",
            "The duration in seconds before the object should be deleted. Value must be non-negative integer. The"
                    + " value zero indicates delete immediately. If this value is nil, the default grace period for"
                    + " the specified type will be used. Defaults to a per object value if not specified. zero means"
                    + " delete immediately.");
    static final Parameter IGNORE_STORE_READ_ERROR = Parameter.query(
            "ignoreStoreReadErrorWithClusterBreakingPotential", "boolean",
            "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow"
                    + " fails with a corrupt object error. A resource is considered corrupt if it can not be"
                    + " retrieved from the underlying storage successfully because of a) its data can not be"
                    + " transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe"
                    + " deletion ignores finalizer constraints, skips precondition checks, and removes the object"
                    + " from the storage. WARNING: This may potentially break the cluster if the workload associated"
                    + " with the resource being unsafe-deleted relies on normal deletion flow. Use only if you"
                    + " REALLY know what you are doing. The default value is false, and the user must opt in to"
                    + " enable it");
    static final Parameter ORPHAN_DEPENDENTS = Parameter.query("orphanDependents", "boolean",
            "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the"
                    + " dependent objects be orphaned. If true/false, the \"orphan\" finalizer will be added to/removed"
                    + " from the object's finalizers list. Either this field or PropagationPolicy may be set, but"
                    + " not both.");
    static final Parameter PROPAGATION_POLICY = Parameter.query("propagationPolicy", "string",
            "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be"
                    + " set, but not both. The default policy is decided by the existing finalizer set in the"
                    + " metadata.finalizers and the resource-specific default policy. Acceptable values are:"
                    + " 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the"
                    + " dependents in the background; 'Foreground' - a cascading policy that deletes all dependents"
                    + " in the foreground.");

    static final List<Parameter> LIST = List.of(ALLOW_WATCH_BOOKMARKS, CONTINUE, FIELD_SELECTOR, LABEL_SELECTOR,
            LIMIT, RESOURCE_VERSION, RESOURCE_VERSION_MATCH, SEND_INITIAL_EVENTS, TIMEOUT_SECONDS, WATCH);
    static final List<Parameter> WRITE = List.of(DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION);
    static final List<Parameter> PATCH = List.of(DRY_RUN, PATCH_FIELD_MANAGER, FIELD_VALIDATION, FORCE);
    static final List<Parameter> DELETE = List.of(DRY_RUN, GRACE_PERIOD_SECONDS, IGNORE_STORE_READ_ERROR,
            ORPHAN_DEPENDENTS, PROPAGATION_POLICY);
    static final List<Parameter> DELETE_COLLECTION = List.of(CONTINUE, DRY_RUN, FIELD_SELECTOR,
            GRACE_PERIOD_SECONDS, IGNORE_STORE_READ_ERROR, LABEL_SELECTOR, LIMIT, ORPHAN_DEPENDENTS,
            PROPAGATION_POLICY, RESOURCE_VERSION, RESOURCE_VERSION_MATCH, SEND_INITIAL_EVENTS, TIMEOUT_SECONDS);

    private Parameters() {
    }

    static Parameter name(String kind) {
        return Parameter.path("name", "name of the " + kind);
    }
}

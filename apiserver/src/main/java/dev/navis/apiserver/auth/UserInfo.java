package dev.navis.apiserver.auth;

import java.util.List;

/**
 * Who sent a request, as authentication found out: upstream's user.Info. The authentication handler stores it
 * as the Jetty request attribute {@link #ATTRIBUTE} before any route runs.
 *
 * @param name   e.g. "admin" or "system:anonymous"
 * @param uid    "" when the credential names none
 * @param groups e.g. ["system:masters", "system:authenticated"]
 */
public record UserInfo(String name, String uid, List<String> groups) {

    /** The Jetty request attribute that holds the authenticated {@code UserInfo}. */
    public static final String ATTRIBUTE = "dev.navis.apiserver.user";

    /** Every authenticated user is in this group. */
    public static final String AUTHENTICATED_GROUP = "system:authenticated";
    /** The group of requests without credentials on the public paths. */
    public static final String UNAUTHENTICATED_GROUP = "system:unauthenticated";
    /** The name of requests without credentials. */
    public static final String ANONYMOUS_USER = "system:anonymous";
    /** The group that may do anything (RBAC's superuser group). */
    public static final String MASTERS_GROUP = "system:masters";

    public UserInfo {
        groups = List.copyOf(groups);
    }

    /** The user of requests that carry no credentials. */
    public static UserInfo anonymous() {
        return new UserInfo(ANONYMOUS_USER, "", List.of(UNAUTHENTICATED_GROUP));
    }

    /** This user with {@value #AUTHENTICATED_GROUP} added, as upstream does for every authenticated user. */
    public UserInfo withAuthenticatedGroup() {
        if (groups.contains(AUTHENTICATED_GROUP)) {
            return this;
        }
        var all = new java.util.ArrayList<>(groups);
        all.add(AUTHENTICATED_GROUP);
        return new UserInfo(name, uid, all);
    }
}

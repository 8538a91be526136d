package dev.navis.client.fake;

/**
 * One call a component made on the {@link FakeKubeClient}, as client-go's testing.Action: what a controller
 * test asserts on.
 *
 * @param verb        get, list, watch, create, update, patch, delete
 * @param group       API group, "" for core
 * @param resource    plural, e.g. "pods"
 * @param subresource e.g. "status", "binding"; null for the main resource
 * @param namespace   null for cluster-scoped or all-namespace calls
 * @param name        null for list, watch and create-without-name
 * @param object      a copy of the object sent (create, update, subresource create), else null
 * @param patch       the patch body of a patch, else null
 */
public record Action(String verb, String group, String resource, String subresource, String namespace,
                     String name, Object object, String patch) {

    public boolean matches(String verb, String resource) {
        return this.verb.equals(verb) && this.resource.equals(resource);
    }

    /** "update pods/status default/web-0": a compact form for assertions and failure messages. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(verb).append(' ').append(resource);
        if (subresource != null) {
            sb.append('/').append(subresource);
        }
        if (name != null || namespace != null) {
            sb.append(' ');
            if (namespace != null) {
                sb.append(namespace).append('/');
            }
            if (name != null) {
                sb.append(name);
            }
        }
        return sb.toString();
    }
}

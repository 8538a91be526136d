package dev.navis.controllers.garbagecollector;

/**
 * Which object a graph node stands for (upstream's objectReference): the coordinates an owner reference
 * names plus the namespace. A virtual node (an owner only known from its dependents' references) takes
 * the namespace of the dependent that named it.
 */
public record ObjectIdentity(String apiVersion, String kind, String namespace, String name, String uid) {

    @Override
    public String toString() {
        return "[" + apiVersion + "/" + kind + ", namespace: " + (namespace == null ? "" : namespace) + ", name: "
                + name + ", uid: " + uid + "]";
    }
}

package dev.navis.client.informer;

import java.util.List;

/** The index values of an object, e.g. its namespace or the uids of its owners. */
@FunctionalInterface
public interface IndexFunc<T> {
    List<String> values(T object);
}

package dev.navis.client.informer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The informer's thread-safe cache: objects by key plus named indices (index name -> value -> keys).
 *
 * <p>Objects returned are the cached instances, shared with every other reader: never mutate them; copy
 * with {@link dev.navis.client.Json#deepCopy} first.
 */
public final class Indexer<T> {

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, T> items = new HashMap<>();
    private final Map<String, IndexFunc<T>> indexFuncs = new HashMap<>();
    private final Map<String, Map<String, Set<String>>> indices = new HashMap<>();

    /** Adds an index; existing items are indexed at once. */
    public void addIndex(String name, IndexFunc<T> func) {
        lock.writeLock().lock();
        try {
            if (indexFuncs.containsKey(name)) {
                throw new IllegalArgumentException("indexer conflict: " + name);
            }
            indexFuncs.put(name, func);
            Map<String, Set<String>> index = new HashMap<>();
            indices.put(name, index);
            items.forEach((key, obj) -> {
                for (String v : func.values(obj)) {
                    index.computeIfAbsent(v, k -> new HashSet<>()).add(key);
                }
            });
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Adds an index unless one of that name exists (several controllers share one informer's indices). */
    public void addIndexIfAbsent(String name, IndexFunc<T> func) {
        lock.writeLock().lock();
        try {
            if (!indexFuncs.containsKey(name)) {
                addIndex(name, func);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    public boolean hasIndex(String name) {
        lock.readLock().lock();
        try {
            return indexFuncs.containsKey(name);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Stores {@code obj} under {@code key}; returns the object it replaced, or null. */
    public T put(String key, T obj) {
        lock.writeLock().lock();
        try {
            T old = items.put(key, obj);
            if (old != null) {
                unindex(key, old);
            }
            index(key, obj);
            return old;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes the object under {@code key}; returns it, or null. */
    public T remove(String key) {
        lock.writeLock().lock();
        try {
            T old = items.remove(key);
            if (old != null) {
                unindex(key, old);
            }
            return old;
        } finally {
            lock.writeLock().unlock();
        }
    }

    public T get(String key) {
        lock.readLock().lock();
        try {
            return items.get(key);
        } finally {
            lock.readLock().unlock();
        }
    }

    public List<T> list() {
        lock.readLock().lock();
        try {
            return new ArrayList<>(items.values());
        } finally {
            lock.readLock().unlock();
        }
    }

    public List<String> keys() {
        lock.readLock().lock();
        try {
            return new ArrayList<>(items.keySet());
        } finally {
            lock.readLock().unlock();
        }
    }

    public int size() {
        lock.readLock().lock();
        try {
            return items.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The objects whose index {@code indexName} has {@code value}. */
    public List<T> byIndex(String indexName, String value) {
        lock.readLock().lock();
        try {
            Map<String, Set<String>> index = indices.get(indexName);
            if (index == null) {
                throw new IllegalArgumentException("index \"" + indexName + "\" does not exist");
            }
            List<T> out = new ArrayList<>();
            for (String key : index.getOrDefault(value, Set.of())) {
                out.add(items.get(key));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The keys whose index {@code indexName} has {@code value}. */
    public List<String> indexKeys(String indexName, String value) {
        lock.readLock().lock();
        try {
            Map<String, Set<String>> index = indices.get(indexName);
            if (index == null) {
                throw new IllegalArgumentException("index \"" + indexName + "\" does not exist");
            }
            return new ArrayList<>(index.getOrDefault(value, Set.of()));
        } finally {
            lock.readLock().unlock();
        }
    }

    private void index(String key, T obj) {
        indexFuncs.forEach((name, func) -> {
            Map<String, Set<String>> index = indices.get(name);
            for (String v : func.values(obj)) {
                index.computeIfAbsent(v, k -> new HashSet<>()).add(key);
            }
        });
    }

    private void unindex(String key, T obj) {
        indexFuncs.forEach((name, func) -> {
            Map<String, Set<String>> index = indices.get(name);
            for (String v : func.values(obj)) {
                Set<String> keys = index.get(v);
                if (keys != null) {
                    keys.remove(key);
                    if (keys.isEmpty()) {
                        index.remove(v);
                    }
                }
            }
        });
    }
}

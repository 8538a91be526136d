package dev.navis.scheduler.framework;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Per-scheduling-cycle scratch space shared by the plugins of one cycle (upstream's CycleState): a plugin
 * writes in PreFilter/PreScore what its Filter/Score reads for every node. Written by the scheduling thread
 * only; the binding thread reads it afterwards. Keys are the writing plugin's own constants.
 */
public final class CycleState {

    private final Map<String, StateData> data;
    private final Set<String> skipFilterPlugins;
    private final Set<String> skipScorePlugins;

    public CycleState() {
        this(new HashMap<>(8), new HashSet<>(4), new HashSet<>(4));
    }

    private CycleState(Map<String, StateData> data, Set<String> skipFilter, Set<String> skipScore) {
        this.data = data;
        this.skipFilterPlugins = skipFilter;
        this.skipScorePlugins = skipScore;
    }

    public void write(String key, StateData value) {
        data.put(key, value);
    }

    /** The value under {@code key}, or null. */
    @SuppressWarnings("unchecked")
    public <T extends StateData> T read(String key) {
        return (T) data.get(key);
    }

    /** Like {@link #read} but an error when absent (a PreFilter did not run). */
    public <T extends StateData> T readRequired(String key) {
        T value = read(key);
        if (value == null) {
            throw new SchedulingException("error reading \"" + key + "\" from cycleState: not found");
        }
        return value;
    }

    public void delete(String key) {
        data.remove(key);
    }

    /** Plugins whose PreFilter returned Skip: their Filter is not called this cycle. */
    public Set<String> skipFilterPlugins() {
        return skipFilterPlugins;
    }

    /** Plugins whose PreScore returned Skip: their Score is not called this cycle. */
    public Set<String> skipScorePlugins() {
        return skipScorePlugins;
    }

    /** A deep copy (each value's {@link StateData#copy()}), for preemption's simulations. */
    public CycleState copy() {
        Map<String, StateData> copied = new HashMap<>(data.size() * 2);
        data.forEach((k, v) -> copied.put(k, v == null ? null : v.copy()));
        return new CycleState(copied, new HashSet<>(skipFilterPlugins), new HashSet<>(skipScorePlugins));
    }
}

package dev.navis.scheduler.framework;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Per-scheduling-cycle scratch space shared by the plugins of one cycle (upstream's CycleState): a plugin
 * writes in PreFilter/PreScore what its Filter/Score reads for every node. Written by the scheduling thread
 * only; the binding thread reads it afterwards. Keys are the writing plugin's own constants.
 */
public final class CycleState {

    // a handful of entries per cycle: parallel arrays scanned by key identity beat a HashMap in Filter's hot path
    private String[] keys;
    private StateData[] values;
    private int size;
    private final Set<String> skipFilterPlugins;
    private final Set<String> skipScorePlugins;
    private Object filterPlan;

    public CycleState() {
        this(new String[8], new StateData[8], 0, new HashSet<>(4), new HashSet<>(4));
    }

    private CycleState(String[] keys, StateData[] values, int size, Set<String> skipFilter, Set<String> skipScore) {
        this.keys = keys;
        this.values = values;
        this.size = size;
        this.skipFilterPlugins = skipFilter;
        this.skipScorePlugins = skipScore;
    }

    private int indexOf(String key) {
        for (int i = 0; i < size; i++) {
            if (keys[i] == key) {
                return i;
            }
        }
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    public void write(String key, StateData value) {
        int i = indexOf(key);
        if (i >= 0) {
            values[i] = value;
            return;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        values[size] = value;
        size++;
    }

    /** The value under {@code key}, or null. */
    @SuppressWarnings("unchecked")
    public <T extends StateData> T read(String key) {
        int i = indexOf(key);
        return i < 0 ? null : (T) values[i];
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
        int i = indexOf(key);
        if (i < 0) {
            return;
        }
        size--;
        keys[i] = keys[size];
        values[i] = values[size];
        keys[size] = null;
        values[size] = null;
    }

    /** Plugins whose PreFilter returned Skip: their Filter is not called this cycle. */
    public Set<String> skipFilterPlugins() {
        return skipFilterPlugins;
    }

    /** Plugins whose PreScore returned Skip: their Score is not called this cycle. */
    public Set<String> skipScorePlugins() {
        return skipScorePlugins;
    }

    /** The framework's per-cycle list of Filter plugins to run (framework-internal; null until computed). */
    public Object filterPlan() {
        return filterPlan;
    }

    public void setFilterPlan(Object plan) {
        this.filterPlan = plan;
    }

    /** A deep copy (each value's {@link StateData#copy()}), for preemption's simulations. */
    public CycleState copy() {
        StateData[] copied = new StateData[values.length];
        for (int i = 0; i < size; i++) {
            copied[i] = values[i] == null ? null : values[i].copy();
        }
        CycleState c = new CycleState(Arrays.copyOf(keys, keys.length), copied, size, new HashSet<>(skipFilterPlugins),
                new HashSet<>(skipScorePlugins));
        c.filterPlan = filterPlan;
        return c;
    }
}

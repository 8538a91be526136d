package dev.navis.scheduler.framework;

/** Data a plugin keeps in the {@link CycleState}; copied when preemption evaluates what-if states. */
public interface StateData {
    /** A copy independent of this one (immutable data may return itself). */
    StateData copy();
}

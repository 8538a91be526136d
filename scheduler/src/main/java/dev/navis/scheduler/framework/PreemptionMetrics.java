package dev.navis.scheduler.framework;

/**
 * What preemption plugins report for upstream's scheduler_preemption_* metrics (the scheduler's
 * SchedulerMetrics implements it).
 */
public interface PreemptionMetrics {
    /** A PostFilter preemption attempt (scheduler_preemption_attempts_total). */
    void attempt();

    /** The victims of a chosen candidate (scheduler_preemption_victims). */
    void victims(int count);

    /** A background preemption task ended, "success" or "error" (scheduler_preemption_goroutines_*). */
    void backgroundTask(String result, double seconds);

    PreemptionMetrics NONE = new PreemptionMetrics() {
        @Override
        public void attempt() {
        }

        @Override
        public void victims(int count) {
        }

        @Override
        public void backgroundTask(String result, double seconds) {
        }
    };
}

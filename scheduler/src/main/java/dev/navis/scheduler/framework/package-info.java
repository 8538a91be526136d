/**
 * The scheduling framework's extension API (upstream's pkg/scheduler/framework).
 *
 * <pre>
 *  queue ──▶ PreFilter ──▶ Filter (per node) ──▶ PostFilter (if none fit: preemption)
 *                                │
 *                                ▼
 *            PreScore ──▶ Score + NormalizeScore (× weight) ──▶ pick node ──▶ assume in cache
 *                                                                              │
 *  binding cycle (async): Reserve ──▶ Permit (may Wait) ──▶ PreBind ──▶ Bind ──▶ PostBind
 * </pre>
 *
 * A plugin is a class implementing {@link dev.navis.scheduler.framework.Plugin} and any of the extension
 * interfaces, registered by name with a {@link dev.navis.scheduler.framework.PluginFactory} in a
 * {@code Registry}; profiles (by spec.schedulerName) enable plugins per extension point. Per-pod data is
 * precomputed in PreFilter into the {@link dev.navis.scheduler.framework.CycleState}; per-pod derived data
 * that outlives a cycle goes into {@link dev.navis.scheduler.framework.PodInfo#memo}. Filter and Score run
 * per node and must not allocate on the common path.
 */
package dev.navis.scheduler.framework;

package dev.navis.scheduler.plugins;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.scheduler.cache.Snapshot;
import dev.navis.scheduler.config.DefaultPlugins;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EventRecorder;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.NodeToStatus;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PodNominator;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.framework.runtime.SchedulingFramework;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The default profile over a fixed snapshot and the fake API, for plugin tests that need the framework's
 * handle (snapshot, informers, filter runners for preemption). Informer indexes are filled directly; no
 * informer is started.
 */
final class PluginHarness {
    final FakeKubeClient client = new FakeKubeClient();
    final SharedInformerFactory informers = new SharedInformerFactory(client, Duration.ZERO);
    final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<String, List<PodInfo>> nominated = new HashMap<>();
    /** Tasks plugins handed to the API-call executor; {@link #runBackground()} runs them. */
    final java.util.Deque<Runnable> background = new java.util.ArrayDeque<>();
    /** What plugins reported as preemption metrics: "attempt", "victims N", "task success|error". */
    final List<String> preemptionMetrics = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Pods plugins activated (Handle.activate). */
    final List<String> activated = new ArrayList<>();
    final SchedulingFramework framework;

    PluginHarness() {
        EventRecorder recorder = (pod, type, reason, action, message) ->
                events.add(type + " " + reason + " " + pod.getMetadata().getName() + ": " + message);
        PodNominator nominator = new PodNominator() {
            @Override
            public void addNominatedPod(PodInfo pod, String nodeName) {
                nominated.computeIfAbsent(nodeName, k -> new ArrayList<>()).add(pod);
            }

            @Override
            public void deleteNominatedPodIfExists(Pod pod) {
                nominated.values().forEach(l -> l.removeIf(p -> p.uid().equals(pod.getMetadata().getUid())));
            }

            @Override
            public List<PodInfo> nominatedPodsForNode(String nodeName) {
                return nominated.getOrDefault(nodeName, List.of());
            }
        };
        framework = new SchedulingFramework(DefaultPlugins.defaultProfile("default-scheduler"),
                InTreePlugins.registry(), new SchedulingFramework.Options(client, informers, recorder, nominator,
                background::add, pod -> activated.add(pod.getMetadata().getName()),
                new dev.navis.scheduler.framework.PreemptionMetrics() {
                    @Override
                    public void attempt() {
                        preemptionMetrics.add("attempt");
                    }

                    @Override
                    public void victims(int count) {
                        preemptionMetrics.add("victims " + count);
                    }

                    @Override
                    public void backgroundTask(String result, double seconds) {
                        preemptionMetrics.add("task " + result);
                    }
                }));
    }

    /** Runs the background tasks handed out so far, in order, on this thread; how many ran. */
    int runBackground() {
        int n = 0;
        for (Runnable r; (r = background.poll()) != null; n++) {
            r.run();
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    <T> T plugin(String name) {
        return (T) framework.plugin(name);
    }

    PluginHarness nodes(NodeInfo... nodes) {
        framework.setSnapshot(Snapshot.of(List.of(nodes)));
        return this;
    }

    /** Puts objects into the informers' indexes (what a synced informer would hold). */
    @SafeVarargs
    final <T extends HasMetadata> PluginHarness objects(T... objects) {
        for (T o : objects) {
            @SuppressWarnings("unchecked")
            Class<T> type = (Class<T>) o.getClass();
            informers.informer(type).indexer().put(Keys.of(o), o);
        }
        return this;
    }

    /** PreFilter, then Filter on every snapshot node: the statuses of the nodes that failed. */
    NodeToStatus filterAll(CycleState state, PodInfo pod) {
        NodeToStatus statuses = new NodeToStatus();
        Status pre = framework.runPreFilterPlugins(state, pod).status();
        if (!pre.isSuccess()) {
            statuses.setAbsentNodesStatus(pre);
            return statuses;
        }
        for (NodeInfo n : framework.snapshotSharedLister().nodeInfos()) {
            Status s = framework.runFilterPluginsWithNominatedPods(state, pod, n);
            if (!s.isSuccess()) {
                statuses.set(n.name(), s);
            }
        }
        return statuses;
    }
}

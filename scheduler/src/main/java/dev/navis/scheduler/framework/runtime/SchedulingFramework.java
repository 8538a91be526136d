package dev.navis.scheduler.framework.runtime;

import dev.navis.client.KubeClient;
import dev.navis.client.informer.SharedInformerFactory;
import dev.navis.scheduler.config.DefaultPlugins;
import dev.navis.scheduler.config.PluginRef;
import dev.navis.scheduler.config.PluginSet;
import dev.navis.scheduler.config.Profile;
import dev.navis.scheduler.framework.BindPlugin;
import dev.navis.scheduler.framework.ClusterEvent;
import dev.navis.scheduler.framework.ClusterEventWithHint;
import dev.navis.scheduler.framework.CycleState;
import dev.navis.scheduler.framework.EnqueueExtensions;
import dev.navis.scheduler.framework.EventRecorder;
import dev.navis.scheduler.framework.FilterPlugin;
import dev.navis.scheduler.framework.Handle;
import dev.navis.scheduler.framework.NodeInfo;
import dev.navis.scheduler.framework.NodeToStatus;
import dev.navis.scheduler.framework.PermitPlugin;
import dev.navis.scheduler.framework.Plugin;
import dev.navis.scheduler.framework.PluginFactory;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.PodNominator;
import dev.navis.scheduler.framework.PostBindPlugin;
import dev.navis.scheduler.framework.PostFilterPlugin;
import dev.navis.scheduler.framework.PreBindPlugin;
import dev.navis.scheduler.framework.PreFilterExtensions;
import dev.navis.scheduler.framework.PreFilterPlugin;
import dev.navis.scheduler.framework.PreScorePlugin;
import dev.navis.scheduler.framework.QueueSortPlugin;
import dev.navis.scheduler.framework.QueuedPodInfo;
import dev.navis.scheduler.framework.ReservePlugin;
import dev.navis.scheduler.framework.SchedulingException;
import dev.navis.scheduler.framework.ScoreExtensions;
import dev.navis.scheduler.framework.ScorePlugin;
import dev.navis.scheduler.framework.SharedLister;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.framework.WaitingPod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One profile's plugins wired to the extension points, and the code that runs them (upstream's
 * frameworkImpl). Built from a {@link Profile} and a {@link Registry}: a plugin enabled under
 * {@code multiPoint} is called at every point it implements unless that point disables it; plugins enabled
 * at a specific point come first there. Default plugins missing from the registry are skipped; other
 * missing plugins are a configuration error.
 *
 * <p>The run* methods for the scheduling cycle are called from the one scheduling thread; the binding
 * methods ({@link #runPermitPlugins} onwards) from binding threads.
 */
public final class SchedulingFramework implements Handle {
    /** The longest a Permit plugin may make a pod wait (upstream's maxTimeout). */
    static final Duration MAX_PERMIT_TIMEOUT = Duration.ofMinutes(15);

    /** Everything the framework's {@link Handle} hands to plugins. */
    public record Options(KubeClient client, SharedInformerFactory informerFactory, EventRecorder eventRecorder,
                          PodNominator podNominator, java.util.concurrent.Executor apiCallExecutor,
                          java.util.function.Consumer<io.fabric8.kubernetes.api.model.Pod> activator,
                          dev.navis.scheduler.framework.PreemptionMetrics preemptionMetrics) {
        /** API calls in the background on virtual threads; {@link Handle#activate} does nothing. */
        public Options(KubeClient client, SharedInformerFactory informerFactory, EventRecorder eventRecorder,
                       PodNominator podNominator) {
            this(client, informerFactory, eventRecorder, podNominator, VIRTUAL_THREADS, pod -> {
            }, dev.navis.scheduler.framework.PreemptionMetrics.NONE);
        }
    }

    /** One virtual thread per background task: cheap while it waits on the API server. */
    private static final java.util.concurrent.Executor VIRTUAL_THREADS =
            task -> Thread.ofVirtual().name("scheduler-api-call").start(task);

    /** A plugin's interest in a cluster event, for the scheduling queue. */
    public record PluginEventHint(String plugin, ClusterEventWithHint event) {
    }

    private final String profileName;
    private final Options options;
    private final Map<String, Plugin> plugins = new LinkedHashMap<>();
    private final QueueSortPlugin queueSort;
    private final List<dev.navis.scheduler.framework.PreEnqueuePlugin> preEnqueue;
    private final List<PreFilterPlugin> preFilter;
    private final List<FilterPlugin> filter;
    private final List<PostFilterPlugin> postFilter;
    private final List<PreScorePlugin> preScore;
    private final List<ScorePlugin> score;
    private final long[] scoreWeights;
    private final List<ReservePlugin> reserve;
    private final List<PermitPlugin> permit;
    private final List<PreBindPlugin> preBind;
    private final List<BindPlugin> bind;
    private final List<PostBindPlugin> postBind;
    private final Map<String, WaitingPodImpl> waitingPods = new ConcurrentHashMap<>();
    private volatile SharedLister snapshot;
    private final Integer percentageOfNodesToScore;
    private long[] scratch = new long[0];

    public SchedulingFramework(Profile profile, Registry registry, Options options) {
        this.profileName = profile.schedulerName();
        this.options = options;
        this.percentageOfNodesToScore = profile.percentageOfNodesToScore();
        PluginSet multi = profile.pluginSet("multiPoint");
        // build each named plugin once
        Set<String> names = new java.util.LinkedHashSet<>();
        multi.enabled().forEach(p -> names.add(p.name()));
        for (String point : List.of("preEnqueue", "queueSort", "preFilter", "filter", "postFilter", "preScore", "score", "reserve",
                "permit", "preBind", "bind", "postBind")) {
            profile.pluginSet(point).enabled().forEach(p -> names.add(p.name()));
        }
        for (String name : names) {
            PluginFactory factory = registry.get(name);
            if (factory == null) {
                if (DefaultPlugins.isDefault(name)) {
                    continue;
                }
                throw new IllegalArgumentException("profile " + profileName + ": plugin \"" + name + "\" does not exist");
            }
            JsonNode args = profile.pluginConfig().get(name);
            Plugin plugin = factory.create(args == null ? JsonNodeFactory.instance.objectNode() : args, this);
            plugins.put(name, plugin);
        }
        List<QueueSortPlugin> sorts = pointList(profile, multi, "queueSort", QueueSortPlugin.class);
        if (sorts.size() != 1) {
            throw new IllegalArgumentException("profile " + profileName + ": exactly one queueSort plugin must be enabled, found "
                    + sorts.stream().map(Plugin::name).toList());
        }
        this.queueSort = sorts.get(0);
        this.preEnqueue = pointList(profile, multi, "preEnqueue", dev.navis.scheduler.framework.PreEnqueuePlugin.class);
        this.preFilter = pointList(profile, multi, "preFilter", PreFilterPlugin.class);
        this.filter = pointList(profile, multi, "filter", FilterPlugin.class);
        this.postFilter = pointList(profile, multi, "postFilter", PostFilterPlugin.class);
        this.preScore = pointList(profile, multi, "preScore", PreScorePlugin.class);
        this.score = pointList(profile, multi, "score", ScorePlugin.class);
        this.scoreWeights = new long[score.size()];
        for (int i = 0; i < score.size(); i++) {
            scoreWeights[i] = weight(profile, multi, score.get(i).name());
        }
        this.reserve = pointList(profile, multi, "reserve", ReservePlugin.class);
        this.permit = pointList(profile, multi, "permit", PermitPlugin.class);
        this.preBind = pointList(profile, multi, "preBind", PreBindPlugin.class);
        this.bind = pointList(profile, multi, "bind", BindPlugin.class);
        if (bind.isEmpty()) {
            throw new IllegalArgumentException("profile " + profileName + ": at least one bind plugin is needed");
        }
        this.postBind = pointList(profile, multi, "postBind", PostBindPlugin.class);
    }

    private <T> List<T> pointList(Profile profile, PluginSet multi, String point, Class<T> type) {
        PluginSet specific = profile.pluginSet(point);
        List<T> list = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (PluginRef ref : specific.enabled()) {
            Plugin p = plugins.get(ref.name());
            if (p == null) {
                continue;
            }
            if (!type.isInstance(p)) {
                throw new IllegalArgumentException("profile " + profileName + ": plugin \"" + ref.name()
                        + "\" does not extend " + point + " plugin");
            }
            if (seen.add(ref.name())) {
                list.add(type.cast(p));
            }
        }
        for (PluginRef ref : multi.enabled()) {
            Plugin p = plugins.get(ref.name());
            if (p != null && type.isInstance(p) && !specific.disables(ref.name()) && seen.add(ref.name())) {
                list.add(type.cast(p));
            }
        }
        return List.copyOf(list);
    }

    private static long weight(Profile profile, PluginSet multi, String name) {
        for (PluginRef ref : profile.pluginSet("score").enabled()) {
            if (ref.name().equals(name) && ref.weight() > 0) {
                return ref.weight();
            }
        }
        for (PluginRef ref : multi.enabled()) {
            if (ref.name().equals(name) && ref.weight() > 0) {
                return ref.weight();
            }
        }
        return 1;
    }

    // ---- introspection

    public String profileName() {
        return profileName;
    }

    public Integer percentageOfNodesToScore() {
        return percentageOfNodesToScore;
    }

    public Plugin plugin(String name) {
        return plugins.get(name);
    }

    /** Plugin names per extension point, for logs and tests. */
    public Map<String, List<String>> listPlugins() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("preEnqueue", preEnqueue.stream().map(Plugin::name).toList());
        m.put("queueSort", List.of(queueSort.name()));
        m.put("preFilter", preFilter.stream().map(Plugin::name).toList());
        m.put("filter", filter.stream().map(Plugin::name).toList());
        m.put("postFilter", postFilter.stream().map(Plugin::name).toList());
        m.put("preScore", preScore.stream().map(Plugin::name).toList());
        m.put("score", score.stream().map(p -> p.name()).toList());
        m.put("reserve", reserve.stream().map(Plugin::name).toList());
        m.put("permit", permit.stream().map(Plugin::name).toList());
        m.put("preBind", preBind.stream().map(Plugin::name).toList());
        m.put("bind", bind.stream().map(Plugin::name).toList());
        m.put("postBind", postBind.stream().map(Plugin::name).toList());
        return m;
    }

    public long scoreWeight(String plugin) {
        for (int i = 0; i < score.size(); i++) {
            if (score.get(i).name().equals(plugin)) {
                return scoreWeights[i];
            }
        }
        return 0;
    }

    public boolean hasFilterPlugins() {
        return !filter.isEmpty();
    }

    public boolean hasScorePlugins() {
        return !score.isEmpty();
    }

    public boolean hasPostFilterPlugins() {
        return !postFilter.isEmpty();
    }

    public QueueSortPlugin queueSort() {
        return queueSort;
    }

    /**
     * Which events each rejecting-capable plugin cares about. Plugins at PreFilter, Filter, Reserve, Permit
     * or PreBind that do not implement {@link EnqueueExtensions} are registered for every event.
     */
    public List<PluginEventHint> eventsToRegister() {
        List<PluginEventHint> hints = new ArrayList<>();
        Set<Plugin> rejecting = new java.util.LinkedHashSet<>();
        rejecting.addAll(preFilter);
        rejecting.addAll(filter);
        rejecting.addAll(reserve);
        rejecting.addAll(permit);
        rejecting.addAll(preBind);
        for (Plugin p : rejecting) {
            if (p instanceof EnqueueExtensions ext) {
                for (ClusterEventWithHint e : ext.eventsToRegister()) {
                    hints.add(new PluginEventHint(p.name(), e));
                }
            } else {
                hints.add(new PluginEventHint(p.name(), new ClusterEventWithHint(
                        new ClusterEvent(ClusterEvent.WILDCARD, ClusterEvent.ALL, "*"), null)));
            }
        }
        return hints;
    }

    /** Sets the snapshot plugins see through {@link #snapshotSharedLister()} (once per cycle). */
    public void setSnapshot(SharedLister snapshot) {
        this.snapshot = snapshot;
    }

    // ---- scheduling cycle

    /** PreFilter's combined outcome: a status and the only candidate nodes (null for all). */
    public record PreFilterOutcome(Status status, Set<String> nodeNames) {
    }

    /** SUCCESS when the pod may be queued for scheduling, else the first gating plugin's status. */
    public Status runPreEnqueuePlugins(PodInfo pod) {
        for (dev.navis.scheduler.framework.PreEnqueuePlugin pl : preEnqueue) {
            Status s;
            try {
                s = pl.preEnqueue(pod);
            } catch (RuntimeException e) {
                s = Status.error(e);
            }
            if (!s.isSuccess()) {
                return s.plugin() == null ? s.withPlugin(pl.name()) : s;
            }
        }
        return Status.SUCCESS;
    }

    public PreFilterOutcome runPreFilterPlugins(CycleState state, PodInfo pod) {
        Set<String> nodes = null;
        List<String> narrowing = null;
        for (PreFilterPlugin pl : preFilter) {
            Status s;
            try {
                s = pl.preFilter(state, pod);
            } catch (RuntimeException e) {
                return new PreFilterOutcome(Status.error("running PreFilter plugin \"" + pl.name() + "\": "
                        + e.getMessage()).withPlugin(pl.name()), null);
            }
            if (s.isSkip()) {
                state.skipFilterPlugins().add(pl.name());
                state.setFilterPlan(null);
                continue;
            }
            if (!s.isSuccess()) {
                s = s.plugin() == null ? s.withPlugin(pl.name()) : s;
                if (!s.isRejected()) {
                    return new PreFilterOutcome(Status.error("running PreFilter plugin \"" + pl.name() + "\": "
                            + s.message()).withPlugin(pl.name()), null);
                }
                return new PreFilterOutcome(s, null);
            }
            Set<String> r = pl.preFilterNodeNames(state, pod);
            if (r != null) {
                if (narrowing == null) {
                    narrowing = new ArrayList<>(2);
                }
                narrowing.add(pl.name());
                if (nodes == null) {
                    nodes = new HashSet<>(r);
                } else {
                    nodes.retainAll(r);
                }
                if (nodes.isEmpty()) {
                    String msg = narrowing.size() == 1 ? "node(s) didn't satisfy plugin " + narrowing.get(0)
                            : "node(s) didn't satisfy plugin(s) " + narrowing + " simultaneously";
                    return new PreFilterOutcome(Status.unresolvable(msg).withPlugin(pl.name()), null);
                }
            }
        }
        return new PreFilterOutcome(Status.SUCCESS, nodes);
    }

    /** The first failing Filter's status (with its plugin), or SUCCESS. */
    public Status runFilterPlugins(CycleState state, PodInfo pod, NodeInfo node) {
        Object plan = state.filterPlan();
        FilterPlugin[] active;
        if (plan instanceof FilterPlugin[] a) {
            active = a;
        } else {
            // once per cycle: the Filter plugins whose PreFilter did not return Skip
            Set<String> skip = state.skipFilterPlugins();
            active = filter.stream().filter(p -> !skip.contains(p.name())).toArray(FilterPlugin[]::new);
            state.setFilterPlan(active);
        }
        for (FilterPlugin pl : active) {
            Status s;
            try {
                s = pl.filter(state, pod, node);
            } catch (RuntimeException e) {
                return Status.error("running \"" + pl.name() + "\" filter plugin: " + e.getMessage()).withPlugin(pl.name());
            }
            if (!s.isSuccess()) {
                if (!s.isRejected()) {
                    return Status.error("running \"" + pl.name() + "\" filter plugin: " + s.message()).withPlugin(pl.name());
                }
                return s.plugin() == null ? s.withPlugin(pl.name()) : s;
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public Status runFilterPluginsWithNominatedPods(CycleState state, PodInfo pod, NodeInfo node) {
        PodNominator nominator = options.podNominator();
        List<PodInfo> nominated = nominator == null || node.name() == null ? List.of()
                : nominator.nominatedPodsForNode(node.name());
        if (nominated.isEmpty()) {
            return runFilterPlugins(state, pod, node);
        }
        // first with the nominated pods of equal or higher priority on the node, then without them: both must pass
        NodeInfo withNominated = null;
        CycleState stateWithNominated = null;
        for (PodInfo p : nominated) {
            if (p.priority() >= pod.priority() && !p.uid().equals(pod.uid())) {
                if (withNominated == null) {
                    withNominated = node.copy();
                    stateWithNominated = state.copy();
                }
                withNominated.addPod(p);
                Status s = runPreFilterExtensionAddPod(stateWithNominated, pod, p, withNominated);
                if (!s.isSuccess()) {
                    return s;
                }
            }
        }
        if (withNominated == null) {
            return runFilterPlugins(state, pod, node);
        }
        Status s = runFilterPlugins(stateWithNominated, pod, withNominated);
        if (!s.isSuccess()) {
            return s;
        }
        return runFilterPlugins(state, pod, node);
    }

    @Override
    public Status runPreFilterExtensionAddPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node) {
        for (PreFilterPlugin pl : preFilter) {
            PreFilterExtensions ext = pl.preFilterExtensions();
            if (ext == null || state.skipFilterPlugins().contains(pl.name())) {
                continue;
            }
            Status s = ext.addPod(state, podToSchedule, podToAdd, node);
            if (!s.isSuccess()) {
                return Status.error("running AddPod on PreFilter plugin \"" + pl.name() + "\": " + s.message())
                        .withPlugin(pl.name());
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public Status runPreFilterExtensionRemovePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove,
                                                 NodeInfo node) {
        for (PreFilterPlugin pl : preFilter) {
            PreFilterExtensions ext = pl.preFilterExtensions();
            if (ext == null || state.skipFilterPlugins().contains(pl.name())) {
                continue;
            }
            Status s = ext.removePod(state, podToSchedule, podToRemove, node);
            if (!s.isSuccess()) {
                return Status.error("running RemovePod on PreFilter plugin \"" + pl.name() + "\": " + s.message())
                        .withPlugin(pl.name());
            }
        }
        return Status.SUCCESS;
    }

    /** The first successful PostFilter result, else the last rejection (or an error). */
    public PostFilterPlugin.PostFilterResult runPostFilterPlugins(CycleState state, PodInfo pod, NodeToStatus statuses) {
        PostFilterPlugin.PostFilterResult last = PostFilterPlugin.PostFilterResult.of(Status.unschedulable());
        for (PostFilterPlugin pl : postFilter) {
            PostFilterPlugin.PostFilterResult r;
            try {
                r = pl.postFilter(state, pod, statuses);
            } catch (RuntimeException e) {
                return PostFilterPlugin.PostFilterResult.of(Status.error(e).withPlugin(pl.name()));
            }
            Status s = r.status();
            if (s.isSuccess()) {
                return r;
            }
            s = s.plugin() == null ? s.withPlugin(pl.name()) : s;
            if (!s.isRejected()) {
                return new PostFilterPlugin.PostFilterResult(s, null);
            }
            last = new PostFilterPlugin.PostFilterResult(s, r.nominatedNodeName());
        }
        return last;
    }

    public Status runPreScorePlugins(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        for (PreScorePlugin pl : preScore) {
            Status s;
            try {
                s = pl.preScore(state, pod, nodes);
            } catch (RuntimeException e) {
                return Status.error("running PreScore plugin \"" + pl.name() + "\": " + e.getMessage()).withPlugin(pl.name());
            }
            if (s.isSkip()) {
                state.skipScorePlugins().add(pl.name());
            } else if (!s.isSuccess()) {
                return Status.error("running PreScore plugin \"" + pl.name() + "\": " + s.message()).withPlugin(pl.name());
            }
        }
        return Status.SUCCESS;
    }

    /**
     * Adds each Score plugin's normalized, weighted score into {@code totals} (parallel to {@code nodes}).
     * Throws SchedulingException on a plugin error or an out-of-range normalized score.
     */
    public void runScorePlugins(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] totals) {
        int n = nodes.size();
        if (scratch.length != n) {
            scratch = new long[n];
        }
        // normalizers see exactly n scores, so reuse the scratch array only when it has that length
        long[] s = scratch.length == n ? scratch : new long[n];
        Set<String> skip = state.skipScorePlugins();
        for (int p = 0; p < score.size(); p++) {
            ScorePlugin pl = score.get(p);
            if (!skip.isEmpty() && skip.contains(pl.name())) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                s[i] = pl.score(state, pod, nodes.get(i));
            }
            ScoreExtensions ext = pl.scoreExtensions();
            if (ext != null) {
                Status st = ext.normalizeScore(state, pod, nodes, s);
                if (!st.isSuccess()) {
                    throw new SchedulingException("running Normalize on Score plugins: plugin \"" + pl.name()
                            + "\" failed with: " + st.message());
                }
            }
            long weight = scoreWeights[p];
            for (int i = 0; i < n; i++) {
                long v = s[i];
                if (v > ScorePlugin.MAX_NODE_SCORE || v < ScorePlugin.MIN_NODE_SCORE) {
                    throw new SchedulingException("plugin \"" + pl.name() + "\" returns an invalid score " + v
                            + ", it should in the range of [" + ScorePlugin.MIN_NODE_SCORE + ", "
                            + ScorePlugin.MAX_NODE_SCORE + "] after normalizing");
                }
                totals[i] += v * weight;
            }
        }
    }

    public Status runReservePluginsReserve(CycleState state, PodInfo pod, String nodeName) {
        for (ReservePlugin pl : reserve) {
            Status s;
            try {
                s = pl.reserve(state, pod, nodeName);
            } catch (RuntimeException e) {
                s = Status.error(e);
            }
            if (!s.isSuccess()) {
                if (!s.isRejected()) {
                    return Status.error("running Reserve plugin \"" + pl.name() + "\": " + s.message()).withPlugin(pl.name());
                }
                return s.plugin() == null ? s.withPlugin(pl.name()) : s;
            }
        }
        return Status.SUCCESS;
    }

    /** Calls every Reserve plugin's unreserve, in reverse order. */
    public void runReservePluginsUnreserve(CycleState state, PodInfo pod, String nodeName) {
        for (int i = reserve.size() - 1; i >= 0; i--) {
            try {
                reserve.get(i).unreserve(state, pod, nodeName);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SchedulingFramework.class)
                        .warn("unreserve of {} failed for {}", reserve.get(i).name(), pod.key(), e);
            }
        }
    }

    /** SUCCESS, a rejection, an error, or WAIT (then call {@link #waitOnPermit}). */
    public Status runPermitPlugins(CycleState state, PodInfo pod, String nodeName) {
        Map<String, Duration> waits = null;
        for (PermitPlugin pl : permit) {
            PermitPlugin.PermitResult r;
            try {
                r = pl.permit(state, pod, nodeName);
            } catch (RuntimeException e) {
                return Status.error(e).withPlugin(pl.name());
            }
            Status s = r.status();
            if (s.isSuccess()) {
                continue;
            }
            if (s.isRejected()) {
                return s.plugin() == null ? s.withPlugin(pl.name()) : s;
            }
            if (s.isWait()) {
                if (waits == null) {
                    waits = new LinkedHashMap<>();
                }
                Duration t = r.timeout() == null || r.timeout().compareTo(MAX_PERMIT_TIMEOUT) > 0 ? MAX_PERMIT_TIMEOUT : r.timeout();
                waits.put(pl.name(), t);
                continue;
            }
            return Status.error("running Permit plugin \"" + pl.name() + "\": " + s.message()).withPlugin(pl.name());
        }
        if (waits != null) {
            waitingPods.put(pod.uid(), new WaitingPodImpl(pod, waits));
            return Status.of(Status.Code.WAIT, "one or more plugins asked to wait and no plugin rejected pod \""
                    + pod.name() + "\"");
        }
        return Status.SUCCESS;
    }

    /** Blocks until every waiting Permit plugin allowed the pod, one rejected it, or a timeout passed. */
    public Status waitOnPermit(PodInfo pod) throws InterruptedException {
        WaitingPodImpl w = waitingPods.get(pod.uid());
        if (w == null) {
            return Status.SUCCESS;
        }
        try {
            return w.await();
        } finally {
            waitingPods.remove(pod.uid());
        }
    }

    public Status runPreBindPlugins(CycleState state, PodInfo pod, String nodeName) {
        for (PreBindPlugin pl : preBind) {
            Status s;
            try {
                s = pl.preBind(state, pod, nodeName);
            } catch (RuntimeException e) {
                s = Status.error(e);
            }
            if (!s.isSuccess()) {
                if (s.isRejected()) {
                    return s.plugin() == null ? s.withPlugin(pl.name()) : s;
                }
                return Status.error("running PreBind plugin \"" + pl.name() + "\": " + s.message()).withPlugin(pl.name());
            }
        }
        return Status.SUCCESS;
    }

    public Status runBindPlugins(CycleState state, PodInfo pod, String nodeName) {
        for (BindPlugin pl : bind) {
            Status s;
            try {
                s = pl.bind(state, pod, nodeName);
            } catch (RuntimeException e) {
                s = Status.error(e);
            }
            if (s.isSkip()) {
                continue;
            }
            if (!s.isSuccess()) {
                if (s.isRejected()) {
                    return s.plugin() == null ? s.withPlugin(pl.name()) : s;
                }
                return Status.error("running Bind plugin \"" + pl.name() + "\": " + s.message()).withPlugin(pl.name());
            }
            return s;
        }
        return Status.SKIP;
    }

    public void runPostBindPlugins(CycleState state, PodInfo pod, String nodeName) {
        for (PostBindPlugin pl : postBind) {
            try {
                pl.postBind(state, pod, nodeName);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(SchedulingFramework.class)
                        .warn("postBind of {} failed for {}", pl.name(), pod.key(), e);
            }
        }
    }

    public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
        return queueSort.less(a, b);
    }

    // ---- Handle

    @Override
    public SharedLister snapshotSharedLister() {
        return snapshot;
    }

    @Override
    public KubeClient client() {
        return options.client();
    }

    @Override
    public SharedInformerFactory informerFactory() {
        return options.informerFactory();
    }

    @Override
    public EventRecorder eventRecorder() {
        return options.eventRecorder() == null ? EventRecorder.NONE : options.eventRecorder();
    }

    @Override
    public PodNominator podNominator() {
        return options.podNominator();
    }

    @Override
    public java.util.concurrent.Executor apiCallExecutor() {
        return options.apiCallExecutor();
    }

    @Override
    public dev.navis.scheduler.framework.PreemptionMetrics preemptionMetrics() {
        return options.preemptionMetrics();
    }

    @Override
    public void activate(io.fabric8.kubernetes.api.model.Pod pod) {
        options.activator().accept(pod);
    }

    @Override
    public WaitingPod waitingPod(String uid) {
        return waitingPods.get(uid);
    }

    /** Rejects every waiting pod (scheduler shutdown). */
    public void rejectWaitingPods(String message) {
        waitingPods.values().forEach(w -> w.reject("", message));
    }

    /** A pod held by Permit plugins; {@link #await} returns when all allowed, one rejected, or a timeout hit. */
    private static final class WaitingPodImpl implements WaitingPod {
        private final PodInfo pod;
        private final Map<String, Long> pending = new LinkedHashMap<>();
        private Status result;

        WaitingPodImpl(PodInfo pod, Map<String, Duration> waits) {
            this.pod = pod;
            long now = System.nanoTime();
            waits.forEach((plugin, timeout) -> pending.put(plugin, now + timeout.toNanos()));
        }

        @Override
        public PodInfo pod() {
            return pod;
        }

        @Override
        public synchronized List<String> pendingPlugins() {
            return List.copyOf(pending.keySet());
        }

        @Override
        public synchronized void allow(String pluginName) {
            pending.remove(pluginName);
            if (pending.isEmpty() && result == null) {
                result = Status.SUCCESS;
                notifyAll();
            }
        }

        @Override
        public synchronized void reject(String pluginName, String message) {
            if (result == null) {
                result = Status.unschedulable(message).withPlugin(pluginName.isEmpty() ? null : pluginName);
                notifyAll();
            }
        }

        synchronized Status await() throws InterruptedException {
            while (result == null) {
                long now = System.nanoTime();
                long earliest = Long.MAX_VALUE;
                for (Map.Entry<String, Long> e : pending.entrySet()) {
                    if (e.getValue() <= now) {
                        result = Status.unschedulable("rejected due to timeout after waiting "
                                + "at permit").withPlugin(e.getKey());
                        return result;
                    }
                    earliest = Math.min(earliest, e.getValue());
                }
                long waitMillis = Math.max(1, (earliest - now) / 1_000_000);
                wait(waitMillis);
            }
            return result;
        }
    }
}

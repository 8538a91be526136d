package dev.navis.scheduler.plugins;

import dev.navis.scheduler.framework.runtime.Registry;
import dev.navis.scheduler.plugins.defaultbinder.DefaultBinder;
import dev.navis.scheduler.plugins.defaultpreemption.DefaultPreemption;
import dev.navis.scheduler.plugins.interpodaffinity.InterPodAffinity;
import dev.navis.scheduler.plugins.podtopologyspread.PodTopologySpread;
import dev.navis.scheduler.plugins.imagelocality.ImageLocality;
import dev.navis.scheduler.plugins.nodeaffinity.NodeAffinity;
import dev.navis.scheduler.plugins.nodename.NodeName;
import dev.navis.scheduler.plugins.nodeports.NodePorts;
import dev.navis.scheduler.plugins.noderesources.BalancedAllocation;
import dev.navis.scheduler.plugins.noderesources.NodeResourcesFit;
import dev.navis.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import dev.navis.scheduler.plugins.queuesort.PrioritySort;
import dev.navis.scheduler.plugins.tainttoleration.TaintToleration;

/**
 * The built-in plugins by upstream's names (upstream's plugins.NewInTreeRegistry). New in-tree plugins
 * (PodTopologySpread, InterPodAffinity, DefaultPreemption) add one line here; the default profile already
 * names them.
 */
public final class InTreePlugins {
    private InTreePlugins() {
    }

    public static Registry registry() {
        return new Registry()
                .register(dev.navis.scheduler.plugins.schedulinggates.SchedulingGates.NAME,
                        (args, h) -> new dev.navis.scheduler.plugins.schedulinggates.SchedulingGates())
                .register(PrioritySort.NAME, (args, h) -> new PrioritySort())
                .register(NodeUnschedulable.NAME, (args, h) -> new NodeUnschedulable())
                .register(NodeName.NAME, (args, h) -> new NodeName())
                .register(TaintToleration.NAME, (args, h) -> new TaintToleration())
                .register(NodeAffinity.NAME, (args, h) -> new NodeAffinity(args))
                .register(NodePorts.NAME, (args, h) -> new NodePorts())
                .register(NodeResourcesFit.NAME, (args, h) -> new NodeResourcesFit(args))
                .register(BalancedAllocation.NAME, (args, h) -> new BalancedAllocation(args))
                .register(ImageLocality.NAME, (args, h) -> new ImageLocality(h))
                .register(dev.navis.scheduler.plugins.volumebinding.VolumeBinding.NAME,
                        (args, h) -> new dev.navis.scheduler.plugins.volumebinding.VolumeBinding(h))
                .register(DefaultBinder.NAME, (args, h) -> new DefaultBinder(h))
                .register(PodTopologySpread.NAME, (args, h) -> new PodTopologySpread(args, h))
                .register(InterPodAffinity.NAME, (args, h) -> new InterPodAffinity(args, h))
                .register(DefaultPreemption.NAME, (args, h) -> new DefaultPreemption(args, h));
    }
}

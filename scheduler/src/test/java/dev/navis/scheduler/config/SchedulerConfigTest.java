package dev.navis.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.navis.client.fake.FakeKubeClient;
import dev.navis.scheduler.framework.Diagnosis;
import dev.navis.scheduler.framework.EventRecorder;
import dev.navis.scheduler.framework.FitError;
import dev.navis.scheduler.framework.PodInfo;
import dev.navis.scheduler.framework.Status;
import dev.navis.scheduler.framework.runtime.SchedulingFramework;
import dev.navis.scheduler.plugins.InTreePlugins;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerConfigTest {
    private static SchedulingFramework framework(Profile profile) {
        return new SchedulingFramework(profile, InTreePlugins.registry(),
                new SchedulingFramework.Options(new FakeKubeClient(), null, EventRecorder.NONE, null));
    }

    @Test
    void defaultProfileWiresUpstreamsDefaultPluginsAndSkipsThoseNotBuiltYet() {
        SchedulingFramework fw = framework(KubeSchedulerConfiguration.defaults().profiles().get(0));
        var plugins = fw.listPlugins();
        assertThat(plugins.get("preEnqueue")).containsExactly("SchedulingGates", "DefaultPreemption"); // as upstream with async preemption
        assertThat(plugins.get("queueSort")).containsExactly("PrioritySort");
        assertThat(plugins.get("filter")).containsExactly("NodeUnschedulable", "NodeName", "TaintToleration",
                "NodeAffinity", "NodePorts", "NodeResourcesFit", "VolumeBinding", "PodTopologySpread", "InterPodAffinity");
        assertThat(plugins.get("reserve")).contains("VolumeBinding");
        assertThat(plugins.get("preBind")).containsExactly("VolumeBinding");
        assertThat(plugins.get("score")).containsExactly("TaintToleration", "NodeAffinity", "NodeResourcesFit",
                "PodTopologySpread", "InterPodAffinity", "NodeResourcesBalancedAllocation", "ImageLocality");
        assertThat(plugins.get("postFilter")).containsExactly("DefaultPreemption");
        assertThat(fw.scoreWeight("PodTopologySpread")).isEqualTo(2);
        assertThat(fw.scoreWeight("InterPodAffinity")).isEqualTo(2);
        assertThat(plugins.get("bind")).containsExactly("DefaultBinder");
        assertThat(fw.scoreWeight("TaintToleration")).isEqualTo(3);
        assertThat(fw.scoreWeight("NodeAffinity")).isEqualTo(2);
        assertThat(fw.scoreWeight("ImageLocality")).isEqualTo(1);
    }

    @Test
    void fileMergesIntoTheDefaults() {
        KubeSchedulerConfiguration c = SchedulerConfigLoader.parse("""
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                percentageOfNodesToScore: 30
                podMaxBackoffSeconds: 20
                leaderElection:
                  leaderElect: false
                  leaseDuration: 30s
                profiles:
                - schedulerName: default-scheduler
                - schedulerName: packer
                  plugins:
                    score:
                      disabled:
                      - name: NodeResourcesBalancedAllocation
                      - name: ImageLocality
                      enabled:
                      - name: NodeResourcesFit
                        weight: 5
                  pluginConfig:
                  - name: NodeResourcesFit
                    args:
                      scoringStrategy:
                        type: MostAllocated
                """);
        assertThat(c.percentageOfNodesToScore()).isEqualTo(30);
        assertThat(c.podInitialBackoffSeconds()).isEqualTo(1);
        assertThat(c.podMaxBackoffSeconds()).isEqualTo(20);
        assertThat(c.leaderElection().leaderElect()).isFalse();
        assertThat(c.leaderElection().leaseDuration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.leaderElection().resourceName()).isEqualTo("kube-scheduler");
        assertThat(c.profiles()).extracting(Profile::schedulerName).containsExactly("default-scheduler", "packer");
        SchedulingFramework packer = framework(c.profiles().get(1));
        assertThat(packer.listPlugins().get("score")).containsExactly("NodeResourcesFit", "TaintToleration", "NodeAffinity",
                "PodTopologySpread", "InterPodAffinity");
        assertThat(packer.scoreWeight("NodeResourcesFit")).isEqualTo(5);
        assertThat(packer.listPlugins().get("filter")).contains("NodeResourcesFit");
    }

    @Test
    void badFilesAreRejectedNamingTheField() {
        assertThatThrownBy(() -> SchedulerConfigLoader.parse("apiVersion: v1\nkind: KubeSchedulerConfiguration\n"))
                .hasMessageContaining("apiVersion: Unsupported value: \"v1\"");
        assertThatThrownBy(() -> SchedulerConfigLoader.parse("""
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                percentageOfNodesToScore: 130
                """)).hasMessageContaining("percentageOfNodesToScore: Invalid value: 130");
        KubeSchedulerConfiguration unknown = SchedulerConfigLoader.parse("""
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                profiles:
                - plugins:
                    filter:
                      enabled:
                      - name: NoSuchPlugin
                """);
        assertThatThrownBy(() -> framework(unknown.profiles().get(0)))
                .hasMessageContaining("plugin \"NoSuchPlugin\" does not exist");
    }

    @Test
    void fitErrorReadsLikeUpstream() {
        Diagnosis d = new Diagnosis();
        d.nodeToStatus.set("a", Status.unresolvable("node(s) had untolerated taint {dedicated: gpu}"));
        d.nodeToStatus.set("b", Status.unschedulable("Insufficient cpu"));
        d.nodeToStatus.set("c", Status.unschedulable("Insufficient cpu", "Insufficient memory"));
        FitError e = new FitError(new PodInfo(dev.navis.scheduler.Fixtures.pod("p")), 3, d);
        assertThat(e.getMessage()).isEqualTo("0/3 nodes are available: 1 Insufficient memory, "
                + "1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.");
        d.postFilterMessage = "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
        assertThat(e.getMessage()).endsWith("2 Insufficient cpu. preemption: 0/3 nodes are available: "
                + "3 No preemption victims found for incoming pod.");
        Diagnosis pre = new Diagnosis();
        pre.preFilterMessage = "pod affinity terms conflict";
        assertThat(new FitError(null, 2, pre).getMessage()).isEqualTo("0/2 nodes are available: pod affinity terms conflict.");
    }

    @Test
    void adaptivePercentageOfNodesToScore() throws Exception {
        var m = Class.forName("dev.navis.scheduler.Scheduler").getDeclaredMethod("numFeasibleNodesToFind", Integer.class, int.class);
        m.setAccessible(true);
        assertThat(m.invoke(null, null, 50)).isEqualTo(50);
        assertThat(m.invoke(null, null, 500)).isEqualTo(230);
        assertThat(m.invoke(null, null, 5000)).isEqualTo(500);
        assertThat(m.invoke(null, null, 50000)).isEqualTo(2500);
        assertThat(m.invoke(null, 10, 500)).isEqualTo(100);
        assertThat(m.invoke(null, 100, 5000)).isEqualTo(5000);
    }
}

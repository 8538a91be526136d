package dev.navis.cli;

import java.time.Duration;

import dev.navis.kubelet.sim.SimDurations;
import dev.navis.kubelet.sim.SimulatedNodes;
import dev.navis.kubelet.sim.SimulatedPodRuntime;

import picocli.CommandLine.Option;

/** Timing of simulated nodes' pods, shared by {@code navis server --sim-nodes} and {@code navis sim}. */
public final class SimOptionsMixin {
    @Option(names = "--sim-prefix", paramLabel = "PREFIX", defaultValue = "sim-",
            description = "Simulated node names are PREFIX0, PREFIX1, ... (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--sim-start-delay", paramLabel = "DURATION", defaultValue = "1s",
            description = "Time from a pod's arrival to Running (default: ${DEFAULT-VALUE}; per pod: annotation "
                    + SimulatedPodRuntime.START_DELAY + ").")
    String startDelay;

    @Option(names = "--sim-complete-after", paramLabel = "DURATION", defaultValue = "5s",
            description = "How long containers of restartPolicy Never/OnFailure pods run before they succeed "
                    + "(default: ${DEFAULT-VALUE}; per pod: annotations " + SimulatedPodRuntime.RUN_DURATION
                    + ", " + SimulatedPodRuntime.EXIT_CODE + ").")
    String completeAfter;

    SimulatedNodes.Options options(int count) {
        Duration start = SimDurations.parse(startDelay);
        Duration complete = SimDurations.parse(completeAfter);
        return SimulatedNodes.Options.defaults(count).withNamePrefix(prefix)
                .withTiming(new SimulatedPodRuntime.Timing(start, complete));
    }
}

package dev.navis.kubelet.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CPU and memory usage of cgroups from the cgroup v1 files (cpuacct.usage, memory.usage_in_bytes, memory.stat),
 * as cAdvisor reports them to the kubelet: the working set is usage minus inactive file pages, and the CPU rate
 * ({@code usageNanoCores}) is the change of cumulative CPU time since this reader's previous sample of the same
 * cgroup.
 */
public final class CgroupV1Stats {
    /** One reading of a cgroup. Rate is null on the first sample. */
    public record Sample(Instant time, long cpuUsageNanos, Long usageNanoCores, long memoryUsageBytes,
                         long workingSetBytes, long rssBytes, long pageFaults, long majorPageFaults) {
    }

    private record Previous(long nanoTime, long cpu) {
    }

    private final Path root;
    private final Map<String, Previous> previous = new ConcurrentHashMap<>();

    /** @param root where the controllers are mounted, {@code /sys/fs/cgroup} on a host */
    public CgroupV1Stats(Path root) {
        this.root = root;
    }

    /** Reads the cgroup at {@code path} ("/" for the whole machine). */
    public Sample read(String path) throws IOException {
        String relative = path.startsWith("/") ? path.substring(1) : path;
        Path cpu = root.resolve("cpuacct").resolve(relative);
        Path memory = root.resolve("memory").resolve(relative);
        long cpuNanos = readLong(cpu.resolve("cpuacct.usage"));
        long usage = readLong(memory.resolve("memory.usage_in_bytes"));
        Map<String, Long> stat = readStat(memory.resolve("memory.stat"));
        long inactiveFile = stat.getOrDefault("total_inactive_file", stat.getOrDefault("inactive_file", 0L));
        long workingSet = Math.max(0, usage - inactiveFile);
        long rss = stat.getOrDefault("total_rss", stat.getOrDefault("rss", 0L));
        long faults = stat.getOrDefault("total_pgfault", stat.getOrDefault("pgfault", 0L));
        long major = stat.getOrDefault("total_pgmajfault", stat.getOrDefault("pgmajfault", 0L));
        long now = System.nanoTime();
        Previous before = previous.put(path, new Previous(now, cpuNanos));
        Long rate = null;
        if (before != null && now > before.nanoTime() && cpuNanos >= before.cpu()) {
            rate = (long) ((cpuNanos - before.cpu()) * 1e9 / (now - before.nanoTime()));
        }
        return new Sample(Instant.now(), cpuNanos, rate, usage, workingSet, rss, faults, major);
    }

    /** Sums samples (a pod without a cgroup of its own: its containers). */
    public static Sample sum(List<Sample> samples) {
        Instant time = Instant.EPOCH;
        long cpu = 0;
        Long rate = null;
        long usage = 0;
        long ws = 0;
        long rss = 0;
        long faults = 0;
        long major = 0;
        for (Sample s : samples) {
            time = s.time().isAfter(time) ? s.time() : time;
            cpu += s.cpuUsageNanos();
            if (s.usageNanoCores() != null) {
                rate = (rate == null ? 0 : rate) + s.usageNanoCores();
            }
            usage += s.memoryUsageBytes();
            ws += s.workingSetBytes();
            rss += s.rssBytes();
            faults += s.pageFaults();
            major += s.majorPageFaults();
        }
        return new Sample(samples.isEmpty() ? Instant.now() : time, cpu, rate, usage, ws, rss, faults, major);
    }

    /** Forgets cgroups not in {@code live}, so removed containers do not accumulate. */
    public void retain(java.util.Set<String> live) {
        previous.keySet().retainAll(live);
    }

    private static long readLong(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }

    private static Map<String, Long> readStat(Path file) throws IOException {
        Map<String, Long> values = new java.util.HashMap<>();
        if (!Files.exists(file)) {
            return values;
        }
        for (String line : Files.readAllLines(file)) {
            int space = line.indexOf(' ');
            if (space > 0) {
                try {
                    values.put(line.substring(0, space), Long.parseLong(line.substring(space + 1).strip()));
                } catch (NumberFormatException e) {
                    // a field this reader does not use
                }
            }
        }
        return values;
    }
}

package dev.navis.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU time of each of the process's threads by name, read from Linux's {@code /proc/self/task/<tid>/stat},
 * so a benchmark can say which part of a window's CPU went to which component: platform threads (the
 * scheduling loop, informers, Jetty's selector and client threads), the virtual threads' carriers
 * ({@code ForkJoinPool-N-worker-N}: request handlers, the load generator's writers, bindings), the JIT and the
 * GC. Digits in names are folded ({@code GC Thread#3} counts as {@code GC Thread#N}); the kernel keeps the first
 * 15 characters of a name. A thread that ended within the window drops out (take the second snapshot before
 * stopping components), so the figures are lower bounds; there are none where there is no {@code /proc}.
 */
public final class ThreadCpuByName {
    /** Clock ticks per second of {@code /proc}'s utime and stime: USER_HZ, 100 on Linux. */
    private static final long TICK_NANOS = 10_000_000L;

    /** CPU nanoseconds by thread id, and each thread's name. */
    private final Map<String, Long> nanosByTid;
    private final Map<String, String> nameByTid;

    private ThreadCpuByName(Map<String, Long> nanosByTid, Map<String, String> nameByTid) {
        this.nanosByTid = nanosByTid;
        this.nameByTid = nameByTid;
    }

    public static ThreadCpuByName now() {
        Map<String, Long> nanos = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open) {
                    continue;
                }
                // after ") ": state is field 3; utime and stime are fields 14 and 15
                String[] fields = stat.substring(close + 2).split(" ");
                String tid = task.getFileName().toString();
                nanos.put(tid, (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * TICK_NANOS);
                names.put(tid, stat.substring(open + 1, close).replaceAll("[0-9]+", "N"));
            }
        } catch (IOException | RuntimeException noProc) {
            return new ThreadCpuByName(Map.of(), Map.of());
        }
        return new ThreadCpuByName(nanos, names);
    }

    /** CPU nanoseconds of the threads (now alive) whose folded name {@code name} accepts, since they started. */
    public long total(java.util.function.Predicate<String> name) {
        long sum = 0;
        for (Map.Entry<String, Long> e : nanosByTid.entrySet()) {
            if (name.test(nameByTid.get(e.getKey()))) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    /** CPU nanoseconds spent since {@code before}, by folded thread name, largest first. */
    public Map<String, Long> since(ThreadCpuByName before) {
        Map<String, Long> byName = new HashMap<>();
        nanosByTid.forEach((tid, n) -> byName.merge(nameByTid.get(tid), n - before.nanosByTid.getOrDefault(tid, 0L), Long::sum));
        Map<String, Long> sorted = new LinkedHashMap<>();
        byName.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** One line: the {@code top} largest groups as "name seconds", the rest summed. */
    public static String summary(Map<String, Long> byName, int top) {
        StringBuilder sb = new StringBuilder();
        long rest = 0;
        int i = 0;
        for (Map.Entry<String, Long> e : byName.entrySet()) {
            if (i++ < top) {
                sb.append(sb.isEmpty() ? "" : ", ").append(e.getKey()).append(' ')
                        .append(String.format("%.2f s", e.getValue() / 1e9));
            } else {
                rest += e.getValue();
            }
        }
        if (rest > 0) {
            sb.append(", others ").append(String.format("%.2f s", rest / 1e9));
        }
        return sb.toString();
    }
}

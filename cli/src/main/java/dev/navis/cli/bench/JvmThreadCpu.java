package dev.navis.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of the JVM's own threads, the JIT compilers and the garbage collector, read from Linux's
 * {@code /proc/self/task/<tid>/stat} (the management beans cover Java threads only). A benchmark subtracts a
 * snapshot taken before its window from one taken after, to tell the JVM's costs from the application's. A
 * thread that ended in between (HotSpot retires idle compiler threads) drops out, so the figures are lower
 * bounds; they are zero where there is no {@code /proc}.
 */
public record JvmThreadCpu(long jitNanos, long gcNanos) {

    /** Clock ticks per second of {@code /proc}'s utime and stime: USER_HZ, 100 on Linux. */
    private static final long TICK_NANOS = 10_000_000L;

    public static JvmThreadCpu now() {
        long jit = 0;
        long gc = 0;
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
                String name = stat.substring(open + 1, close);
                // after ") ": state is field 3; utime and stime are fields 14 and 15
                String[] fields = stat.substring(close + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                    jit += ticks * TICK_NANOS;
                } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
                    gc += ticks * TICK_NANOS;
                }
            }
        } catch (IOException | RuntimeException noProc) {
            return new JvmThreadCpu(0, 0);
        }
        return new JvmThreadCpu(jit, gc);
    }

    public JvmThreadCpu since(JvmThreadCpu before) {
        return new JvmThreadCpu(jitNanos - before.jitNanos, gcNanos - before.gcNanos);
    }
}

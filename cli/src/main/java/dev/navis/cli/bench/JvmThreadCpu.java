package dev.navis.cli.bench;

/**
 * CPU time of the JVM's own threads, the JIT compilers and the garbage collector, read from Linux's
 * {@code /proc/self/task/<tid>/stat} (the management beans cover Java threads only). A benchmark subtracts a
 * snapshot taken before its window from one taken after, to tell the JVM's costs from the application's. A
 * thread that ended in between (HotSpot retires idle compiler threads) drops out, so the figures are lower
 * bounds; they are zero where there is no {@code /proc}.
 */
public record JvmThreadCpu(long jitNanos, long gcNanos) {

    public static JvmThreadCpu now() {
        ThreadCpuByName threads = ThreadCpuByName.now();
        // folded names (digits as N): "C1 CompilerThread0" and "C2 CompilerThre" (the kernel keeps 15 characters)
        // are "CN Compiler...", the G1 collector's threads "GC Thread#N" and "GN ..."
        return new JvmThreadCpu(threads.total(name -> name.startsWith("CN Compiler")),
                threads.total(name -> name.startsWith("GC Thread") || name.startsWith("GN ")));
    }

    public JvmThreadCpu since(JvmThreadCpu before) {
        return new JvmThreadCpu(jitNanos - before.jitNanos, gcNanos - before.gcNanos);
    }
}

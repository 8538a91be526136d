package dev.navis.proxy.nftables;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code nft} binary. A command prefix runs it elsewhere, e.g. {@code ip netns exec NS} in tests, so the
 * proxy programs a network namespace rather than the host.
 */
public final class NftCommand implements Nft {
    private static final long TIMEOUT_SECONDS = 60;
    private final List<String> prefix;
    private final String binary;

    public NftCommand(List<String> prefix, String binary) {
        this.prefix = List.copyOf(prefix);
        this.binary = binary;
    }

    /** The host's nft. */
    public static NftCommand host() {
        return new NftCommand(List.of(), "nft");
    }

    /** nft inside a named network namespace ({@code ip netns exec NAME nft}). */
    public static NftCommand inNetns(String netns) {
        return new NftCommand(List.of("ip", "netns", "exec", netns), "nft");
    }

    /** True when an nft binary answers here. */
    public boolean available() {
        try {
            return run(List.of("--version"), null).exitCode == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void apply(String script) throws IOException {
        Result r = run(List.of("-f", "-"), script);
        if (r.exitCode != 0) {
            throw new IOException("nft -f failed (exit " + r.exitCode + "): " + r.output.strip());
        }
    }

    @Override
    public boolean tableExists(String family, String table) throws IOException {
        // listing one small set keeps the check cheap on a table with thousands of chains
        return run(List.of("list", "set", family, table, "cluster-ips"), null).exitCode == 0;
    }

    @Override
    public void deleteTable(String family, String table) throws IOException {
        apply("add table " + family + " " + table + "\ndelete table " + family + " " + table + "\n");
    }

    /** Runs nft with these arguments (and prefix), feeding {@code stdin} when not null. */
    public Result run(List<String> args, String stdin) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(binary);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        if (stdin != null) {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // nft quit early: its output says why
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("nft did not finish within " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while nft ran", e);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    public record Result(int exitCode, String output) {
    }
}

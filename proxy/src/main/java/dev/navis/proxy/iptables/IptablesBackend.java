package dev.navis.proxy.iptables;

import dev.navis.proxy.RuleBackend;
import dev.navis.proxy.ServicePort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's rules as upstream's iptables mode writes them, through iptables-nft: the KUBE-* chains are
 * rewritten by one {@code iptables-restore --noflush} per change (atomic per table), the jumps to them from
 * the built-in chains are checked and inserted with {@code iptables -C / -I}.
 */
public final class IptablesBackend implements RuleBackend {
    /** table, built-in chain, rule (without -A/-I chain). */
    private static final List<String[]> JUMPS = List.of(
            new String[] {"nat", "PREROUTING", "-m comment --comment kubernetes-service-portals -j KUBE-SERVICES"},
            new String[] {"nat", "OUTPUT", "-m comment --comment kubernetes-service-portals -j KUBE-SERVICES"},
            new String[] {"nat", "POSTROUTING", "-m comment --comment kubernetes-postrouting-rules -j KUBE-POSTROUTING"},
            new String[] {"filter", "INPUT", "-m conntrack --ctstate NEW -m comment --comment kubernetes-service-portals -j KUBE-SERVICES"},
            new String[] {"filter", "INPUT", "-m conntrack --ctstate NEW -m comment --comment kubernetes-externally-visible-service-portals -j KUBE-EXTERNAL-SERVICES"},
            new String[] {"filter", "INPUT", "-j KUBE-FIREWALL"},
            new String[] {"filter", "FORWARD", "-m conntrack --ctstate NEW -m comment --comment kubernetes-service-portals -j KUBE-SERVICES"},
            new String[] {"filter", "FORWARD", "-m conntrack --ctstate NEW -m comment --comment kubernetes-externally-visible-service-portals -j KUBE-EXTERNAL-SERVICES"},
            new String[] {"filter", "OUTPUT", "-m conntrack --ctstate NEW -m comment --comment kubernetes-service-portals -j KUBE-SERVICES"},
            new String[] {"filter", "OUTPUT", "-j KUBE-FIREWALL"});

    private final List<String> prefix;
    private final IptablesRules rules;
    private Set<String> natChains = Set.of();
    private String applied;

    /** @param prefix a command prefix ({@code ip netns exec NS}) or empty for the host */
    public IptablesBackend(List<String> prefix, IptablesRules rules) {
        this.prefix = List.copyOf(prefix);
        this.rules = rules;
    }

    @Override
    public String sync(List<ServicePort> ports, boolean full) throws IOException {
        IptablesRules.Rendered r = rules.render(ports, natChains);
        if (!full && r.text().equals(applied)) {
            return "";
        }
        try {
            if (full || applied == null) {
                // the chains must exist before the jumps to them
                run(List.of("iptables-restore", "--noflush", "-w"), r.text());
                ensureJumps();
            } else {
                run(List.of("iptables-restore", "--noflush", "-w"), r.text());
            }
        } catch (IOException e) {
            applied = null;
            throw e;
        }
        applied = r.text();
        natChains = r.natChains();
        return r.text();
    }

    private void ensureJumps() throws IOException {
        for (String[] j : JUMPS) {
            List<String> rule = List.of(j[2].split(" "));
            List<String> check = new ArrayList<>(List.of("iptables", "-w", "-t", j[0], "-C", j[1]));
            check.addAll(rule);
            if (exit(check) != 0) {
                List<String> insert = new ArrayList<>(List.of("iptables", "-w", "-t", j[0], "-I", j[1], "1"));
                insert.addAll(rule);
                run(insert, null);
            }
        }
    }

    @Override
    public boolean intact() throws IOException {
        return exit(List.of("iptables", "-w", "-t", "nat", "-C", "PREROUTING", "-m", "comment", "--comment",
                "kubernetes-service-portals", "-j", "KUBE-SERVICES")) == 0;
    }

    @Override
    public void cleanup() throws IOException {
        for (String[] j : JUMPS) {
            List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-t", j[0], "-D", j[1]));
            delete.addAll(List.of(j[2].split(" ")));
            while (exit(delete) == 0) {
                // a rule inserted twice (two proxies, a crash) goes as well
            }
        }
        for (String table : List.of("nat", "filter")) {
            String listing = output(List.of("iptables", "-w", "-t", table, "-S"));
            Set<String> kube = new LinkedHashSet<>();
            for (String line : listing.split("\n")) {
                if (line.startsWith("-N KUBE-")) {
                    kube.add(line.substring(3).trim());
                }
            }
            if (kube.isEmpty()) {
                continue;
            }
            StringBuilder in = new StringBuilder("*" + table + "\n");
            kube.forEach(c -> in.append(':').append(c).append(" - [0:0]\n"));
            kube.forEach(c -> in.append("-X ").append(c).append('\n'));
            in.append("COMMIT\n");
            run(List.of("iptables-restore", "--noflush", "-w"), in.toString());
        }
        applied = null;
        natChains = Set.of();
    }

    @Override
    public String name() {
        return "iptables";
    }

    private int exit(List<String> cmd) throws IOException {
        return exec(cmd, null).exit;
    }

    private String output(List<String> cmd) throws IOException {
        Result r = exec(cmd, null);
        if (r.exit != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + r.output);
        }
        return r.output;
    }

    private void run(List<String> cmd, String stdin) throws IOException {
        Result r = exec(cmd, stdin);
        if (r.exit != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (exit " + r.exit + "): " + r.output.strip());
        }
    }

    private record Result(int exit, String output) {
    }

    private Result exec(List<String> cmd, String stdin) throws IOException {
        List<String> full = new ArrayList<>(prefix);
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the tool quit early: its output says why
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", full) + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}

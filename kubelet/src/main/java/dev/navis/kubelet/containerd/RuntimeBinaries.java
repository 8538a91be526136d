package dev.navis.kubelet.containerd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The executables a containerd-managed node needs (containerd with its runc shim and ctr, runc, the
 * CNI plugins), where they are, and which Debian packages provide the missing ones.
 */
public final class RuntimeBinaries {

    /** CNI plugins the managed network uses; containerd adds loopback itself. */
    public static final List<String> CNI_PLUGINS = List.of("bridge", "host-local", "loopback", "portmap");

    private static final List<Path> SEARCH_PATH = searchPath();

    private final Path cniBinDir;

    public RuntimeBinaries(Path cniBinDir) {
        this.cniBinDir = cniBinDir;
    }

    /** The Debian default CNI plugin directory of containernetworking-plugins. */
    public static Path defaultCniBinDir() {
        return Path.of("/usr/lib/cni");
    }

    public Optional<Path> containerd() {
        return find("containerd");
    }

    public Optional<Path> runc() {
        return find("runc");
    }

    public Optional<Path> ctr() {
        return find("ctr");
    }

    public Path cniBinDir() {
        return cniBinDir;
    }

    /** An executable on PATH (plus the sbin directories, which a non-login root shell may lack). */
    public static Optional<Path> find(String name) {
        for (Path dir : SEARCH_PATH) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** What is missing, each as "name (Debian package)"; empty when everything is in place. */
    public List<String> missing() {
        List<String> out = new ArrayList<>();
        for (String b : List.of("containerd", "containerd-shim-runc-v2", "ctr")) {
            if (find(b).isEmpty()) {
                out.add(b + " (containerd)");
            }
        }
        if (runc().isEmpty()) {
            out.add("runc (runc)");
        }
        for (String plugin : CNI_PLUGINS) {
            if (!Files.isExecutable(cniBinDir.resolve(plugin))) {
                out.add(cniBinDir.resolve(plugin) + " (containernetworking-plugins)");
            }
        }
        return out;
    }

    /** The Debian packages that provide what {@link #missing()} lists. */
    public Set<String> missingPackages() {
        Set<String> pkgs = new LinkedHashSet<>();
        for (String m : missing()) {
            pkgs.add(m.substring(m.lastIndexOf('(') + 1, m.length() - 1));
        }
        return pkgs;
    }

    /** The NotReady message for a machine that lacks binaries: what is missing and how to get it. */
    public String notReadyMessage() {
        List<String> missing = missing();
        if (missing.isEmpty()) {
            return null;
        }
        return "container runtime is missing " + String.join(", ", missing)
                + "; install them (Debian/Ubuntu: apt-get install " + String.join(" ", missingPackages())
                + ") or pass the CRI endpoint of a running runtime";
    }

    /** True on a Debian-like machine where this process is root, so apt-get can install packages. */
    public static boolean canAptInstall() {
        return Files.isExecutable(Path.of("/usr/bin/apt-get")) && Files.exists(Path.of("/etc/debian_version"))
                && "root".equals(System.getProperty("user.name"));
    }

    /**
     * Installs the missing packages with apt-get (announcing it on stderr first, as the user is told
     * what happens to the machine). Returns the packages installed.
     */
    public Set<String> aptInstallMissing() throws IOException, InterruptedException {
        Set<String> pkgs = missingPackages();
        if (pkgs.isEmpty()) {
            return pkgs;
        }
        System.err.println("navis: the container runtime needs " + String.join(", ", missing())
                + "; installing with apt-get: " + String.join(" ", pkgs));
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
        install.addAll(pkgs);
        int rc = run(install);
        if (rc != 0) {
            // the package lists may be stale or absent on a fresh machine
            run(List.of("apt-get", "update"));
            rc = run(install);
        }
        if (rc != 0) {
            throw new IOException("apt-get install " + String.join(" ", pkgs) + " failed with exit code " + rc);
        }
        return pkgs;
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static List<Path> searchPath() {
        Set<Path> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        for (String d : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            dirs.add(Path.of(d));
        }
        return List.copyOf(dirs);
    }
}

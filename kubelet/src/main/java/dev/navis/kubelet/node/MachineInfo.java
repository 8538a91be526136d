package dev.navis.kubelet.node;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What the kubelet learns about its machine from /proc, /sys, /etc and statfs (upstream reads the same
 * through cAdvisor): capacity for node.status.capacity and identity for node.status.nodeInfo.
 *
 * @param cpuCores          online CPUs (/sys/devices/system/cpu/online)
 * @param memoryBytes       MemTotal of /proc/meminfo
 * @param ephemeralStorage  size of the file system holding the kubelet's root directory (statfs)
 */
public record MachineInfo(String hostname, String internalIp, int cpuCores, long memoryBytes,
                          long ephemeralStorage, String kernelVersion, String osImage, String operatingSystem,
                          String architecture, String machineId, String systemUuid, String bootId) {

    /** This machine with another InternalIP (upstream's --node-ip). */
    public MachineInfo withInternalIp(String ip) {
        return new MachineInfo(hostname, ip, cpuCores, memoryBytes, ephemeralStorage, kernelVersion, osImage,
                operatingSystem, architecture, machineId, systemUuid, bootId);
    }

    /** Reads the machine; {@code rootDir} is the kubelet's data directory (its file system is ephemeral storage). */
    public static MachineInfo read(Path rootDir) throws IOException {
        Files.createDirectories(rootDir);
        FileStore store = Files.getFileStore(rootDir);
        String hostname = firstLine(Path.of("/proc/sys/kernel/hostname"), null);
        if (hostname == null) {
            hostname = InetAddress.getLocalHost().getHostName();
        }
        return new MachineInfo(hostname.toLowerCase(Locale.ROOT), detectInternalIp(), onlineCpus(),
                meminfoKb("MemTotal") * 1024, store.getTotalSpace(),
                firstLine(Path.of("/proc/sys/kernel/osrelease"), System.getProperty("os.version")),
                detectOsImage(), "linux", detectArchitecture(),
                firstLine(Path.of("/etc/machine-id"), ""), firstLine(Path.of("/sys/class/dmi/id/product_uuid"), ""),
                firstLine(Path.of("/proc/sys/kernel/random/boot_id"), ""));
    }

    /** GOARCH names, as kubernetes.io/arch uses them. */
    static String detectArchitecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            default -> arch;
        };
    }

    /** MemAvailable (or MemFree) in bytes: the memory.available eviction signal. */
    public static long memoryAvailableBytes() {
        long available = meminfoKb("MemAvailable");
        return (available > 0 ? available : meminfoKb("MemFree")) * 1024;
    }

    /** Processes running now and the kernel's limit: the pid.available signal. */
    public static long[] processCountAndMax() {
        long max = Long.parseLong(firstLine(Path.of("/proc/sys/kernel/pid_max"), "32768").trim());
        long count = 0;
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars()
                .allMatch(Character::isDigit))) {
            for (Path ignored : dirs) {
                count++;
            }
        } catch (IOException e) {
            count = 0;
        }
        return new long[] {count, max};
    }

    static int onlineCpus() {
        String online = firstLine(Path.of("/sys/devices/system/cpu/online"), null);
        if (online == null || online.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        int count = 0;
        for (String range : online.trim().split(",")) {
            String[] ends = range.split("-");
            count += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
        }
        return count;
    }

    static long meminfoKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: unknown
        }
        return Runtime.getRuntime().maxMemory() / 1024;
    }

    static String detectOsImage() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.name");
    }

    /** The address the machine would use to reach other hosts (default route), else the first non-loopback IPv4. */
    static String detectInternalIp() {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(new InetSocketAddress("192.0.2.1", 9)); // TEST-NET: routing decision only, nothing is sent
            InetAddress local = socket.getLocalAddress();
            if (local != null && !local.isAnyLocalAddress() && !local.isLoopbackAddress()) {
                return local.getHostAddress();
            }
        } catch (IOException e) {
            // no default route: enumerate
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "127.0.0.1";
    }

    private static String firstLine(Path file, String fallback) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.isEmpty() ? fallback : lines.get(0).trim();
        } catch (IOException | SecurityException e) {
            return fallback;
        }
    }
}

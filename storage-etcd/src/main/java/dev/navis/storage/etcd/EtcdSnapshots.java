package dev.navis.storage.etcd;

import dev.navis.storage.StoreException;
import io.etcd.jetcd.Client;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * etcd's own snapshot (the Maintenance.Snapshot RPC): the bolt database of one member, as {@code etcdctl snapshot
 * save}; restored into a new member's data directory by Debian's {@code etcdctl snapshot restore} (package
 * etcd-client), which gives the restored cluster a new identity and membership as etcd requires.
 */
public final class EtcdSnapshots {
    /** Debian's etcdctl (package etcd-client). */
    public static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");

    private EtcdSnapshots() {
    }

    /**
     * The member a snapshot is restored as, as etcdctl's flags of the same names; a null field leaves etcdctl's
     * default (name "default", initial cluster {@code default=http://localhost:2380}, token "etcd-cluster").
     *
     * @param name                     the member's name (etcd's {@code --name} when it starts on the directory)
     * @param initialCluster           every member of the restored cluster, {@code name=peerURL,...}
     * @param initialClusterToken      the restored cluster's token
     * @param initialAdvertisePeerUrls this member's peer URLs, comma-separated
     */
    public record RestoredMember(String name, String initialCluster, String initialClusterToken,
                                 String initialAdvertisePeerUrls) {
        List<String> flags() {
            List<String> flags = new ArrayList<>();
            add(flags, "--name", name);
            add(flags, "--initial-cluster", initialCluster);
            add(flags, "--initial-cluster-token", initialClusterToken);
            add(flags, "--initial-advertise-peer-urls", initialAdvertisePeerUrls);
            return flags;
        }

        private static void add(List<String> flags, String flag, String value) {
            if (value != null && !value.isEmpty()) {
                flags.add(flag + "=" + value);
            }
        }
    }

    /**
     * Restores {@code snapshot} into {@code dataDir}, which must not exist yet (etcdctl refuses to overwrite),
     * with {@code etcdctl snapshot restore}; start etcd with {@code --data-dir dataDir} and the member's name and
     * peer URLs afterwards. Returns what etcdctl printed.
     */
    public static String restore(Path snapshot, Path dataDir, RestoredMember member) {
        if (!Files.isExecutable(ETCDCTL)) {
            throw new StoreException(ETCDCTL + " is missing: install Debian's etcd-client");
        }
        if (!Files.isRegularFile(snapshot)) {
            throw new StoreException(snapshot + " is not a snapshot file");
        }
        if (Files.exists(dataDir)) {
            throw new StoreException(dataDir + " already exists: restore into a new directory");
        }
        List<String> cmd = new ArrayList<>(List.of(ETCDCTL.toString(), "snapshot", "restore", snapshot.toString(),
                "--data-dir=" + dataDir));
        cmd.addAll(member.flags());
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
        builder.environment().put("ETCDCTL_API", "3");
        try {
            Process p = builder.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new StoreException("etcdctl snapshot restore did not finish within 5 minutes");
            }
            if (p.exitValue() != 0) {
                throw new StoreException("etcdctl snapshot restore failed: " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new StoreException("cannot run " + ETCDCTL + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted", e);
        }
    }

    /** Streams a snapshot of the member jetcd picks into {@code out}; returns its size in bytes. */
    public static long save(EtcdConfig config, OutputStream out) {
        try (Client client = config.newClient()) {
            return client.getMaintenanceClient().snapshot(out).get(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new StoreException("etcd snapshot failed: " + e.getMessage(), e);
        }
    }
}

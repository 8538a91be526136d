package dev.navis.cli;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;

import dev.navis.apiserver.ApiServerOptions;
import dev.navis.storage.etcd.EtcdConfig;
import dev.navis.storage.etcd.EtcdSnapshots;
import dev.navis.storage.mvcc.StoreBackup;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Backups of cluster state, named after k3s's {@code etcd-snapshot}: the embedded store is copied while the
 * server runs (see {@link StoreBackup}); an etcd cluster is saved with etcd's snapshot RPC, whose file
 * {@code etcdctl snapshot restore} (run by {@code restore --datastore etcd}) turns back into a member's data
 * directory.
 */
@Command(name = "etcd-snapshot", mixinStandardHelpOptions = true, description = "Save or restore cluster state.",
        subcommands = {EtcdSnapshotCommand.Save.class, EtcdSnapshotCommand.Restore.class})
public final class EtcdSnapshotCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Where the state is: the embedded store of a data directory, or an etcd cluster. */
    static final class Source {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "The server's data directory (default: "
                + "~/.navis/server); for an etcd restore, the new member's data directory.")
        Path dataDir;

        @Option(names = "--datastore", paramLabel = "KIND", defaultValue = "embedded",
                description = "embedded or etcd (default: ${DEFAULT-VALUE}).")
        String datastore;

        @Option(names = "--etcd-endpoints", paramLabel = "URL", split = ",", description = "Client URLs of the etcd members.")
        List<String> etcdEndpoints;

        @Option(names = "--etcd-cafile", paramLabel = "FILE", description = "PEM CA of the etcd members.")
        Path etcdCaFile;

        @Option(names = "--etcd-certfile", paramLabel = "FILE", description = "PEM client certificate for etcd.")
        Path etcdCertFile;

        @Option(names = "--etcd-keyfile", paramLabel = "FILE", description = "PEM (PKCS#8) key of the client certificate.")
        Path etcdKeyFile;

        Path storeDir() {
            Path dir = dataDir != null ? dataDir.toAbsolutePath() : ApiServerOptions.defaultDataDir();
            return ApiServerOptions.defaults().withDataDir(dir).storeDir();
        }

        boolean etcd() {
            return switch (datastore) {
                case "embedded" -> false;
                case "etcd" -> true;
                default -> throw new IllegalArgumentException("--datastore must be embedded or etcd, not " + datastore);
            };
        }

        EtcdConfig etcdConfig() {
            if (etcdEndpoints == null || etcdEndpoints.isEmpty()) {
                throw new IllegalArgumentException("--datastore etcd needs --etcd-endpoints");
            }
            return new EtcdConfig(etcdEndpoints, etcdCaFile, etcdCertFile, etcdKeyFile);
        }
    }

    @Command(name = "save", mixinStandardHelpOptions = true,
            description = "Save the state: a directory for the embedded store, etcd's snapshot file for etcd.")
    static final class Save implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Source source = new Source();

        @Parameters(paramLabel = "TARGET", description = "Where to save (must not exist).")
        Path target;

        @Override
        public Integer call() {
            try {
                if (source.etcd()) {
                    if (Files.exists(target)) {
                        throw new IllegalArgumentException(target + " already exists");
                    }
                    Path partial = target.resolveSibling(target.getFileName() + ".part");
                    long bytes;
                    try (OutputStream out = Files.newOutputStream(partial)) {
                        bytes = EtcdSnapshots.save(source.etcdConfig(), out);
                    }
                    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                    System.out.println("Saved etcd snapshot (" + bytes + " bytes) to " + target
                            + "; restore with: navis etcd-snapshot restore --datastore etcd " + target
                            + " --data-dir <new member dir> [--name --initial-cluster ...]");
                } else {
                    long revision = StoreBackup.save(source.storeDir(), target.toAbsolutePath());
                    System.out.println("Saved the embedded store at revision " + revision + " to " + target);
                }
                return 0;
            } catch (RuntimeException | java.io.IOException e) {
                System.err.println("navis etcd-snapshot save: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Restore saved state (server and etcd stopped).",
                    "embedded: a saved store into a data directory whose store is empty.",
                    "etcd: a snapshot file into a new etcd member's data directory (--data-dir, must not exist), "
                            + "with Debian's etcdctl; then start etcd on it with the same --name and peer URLs."})
    static final class Restore implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Source source = new Source();

        @Parameters(paramLabel = "SOURCE", description = "What 'navis etcd-snapshot save' wrote: a directory (embedded) "
                + "or a snapshot file (etcd).")
        Path backup;

        @Option(names = "--name", paramLabel = "NAME", description = "etcd: the restored member's name (etcd --name).")
        String name;

        @Option(names = "--initial-cluster", paramLabel = "NAME=URL,...",
                description = "etcd: every member of the restored cluster with its peer URL.")
        String initialCluster;

        @Option(names = "--initial-cluster-token", paramLabel = "TOKEN", description = "etcd: the restored cluster's token.")
        String initialClusterToken;

        @Option(names = "--initial-advertise-peer-urls", paramLabel = "URL,...", description = "etcd: this member's peer URLs.")
        String initialAdvertisePeerUrls;

        @Override
        public Integer call() {
            try {
                if (source.etcd()) {
                    if (source.dataDir == null) {
                        throw new IllegalArgumentException("--datastore etcd needs --data-dir: the new member's data directory");
                    }
                    Path dir = source.dataDir.toAbsolutePath();
                    EtcdSnapshots.restore(backup.toAbsolutePath(), dir, new EtcdSnapshots.RestoredMember(name,
                            initialCluster, initialClusterToken, initialAdvertisePeerUrls));
                    System.out.println("Restored " + backup + " into the etcd data directory " + dir
                            + "; start etcd with --data-dir " + dir + (name == null ? "" : " --name " + name));
                    return 0;
                }
                long revision = StoreBackup.restore(backup.toAbsolutePath(), source.storeDir());
                System.out.println("Restored revision " + revision + " into " + source.storeDir());
                return 0;
            } catch (RuntimeException e) {
                System.err.println("navis etcd-snapshot restore: " + e.getMessage());
                return 1;
            }
        }
    }
}

package dev.navis.storage.etcd;

import dev.navis.storage.StoreException;
import io.etcd.jetcd.Client;

import java.io.OutputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** etcd's own snapshot (the Maintenance.Snapshot RPC): the bolt database of one member, as {@code etcdctl snapshot save}. */
public final class EtcdSnapshots {
    private EtcdSnapshots() {
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

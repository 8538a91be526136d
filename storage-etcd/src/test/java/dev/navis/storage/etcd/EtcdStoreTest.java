package dev.navis.storage.etcd;

import dev.navis.storage.Store;
import dev.navis.storage.tck.StoreTck;
import org.junit.jupiter.api.BeforeAll;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The whole store test kit against {@link EtcdStore} on a fresh single-member etcd per store. */
class EtcdStoreTest extends StoreTck {

    @BeforeAll
    static void needEtcd() {
        assumeTrue(EtcdCluster.available(), "skipped: " + EtcdCluster.ETCD + " is not installed (Debian package etcd-server)");
    }

    @Override
    protected long baseRevision() {
        return 1; // an empty etcd is at revision 1
    }

    @Override
    protected Store newStore(Settings settings) {
        EtcdCluster etcd = EtcdCluster.start(1, settings.progressInterval());
        try {
            return new EtcdStore(EtcdConfig.plain(etcd.clientUrls()).newClient(), settings.watchBufferSize()) {
                @Override
                public void close() {
                    try {
                        super.close();
                    } finally {
                        etcd.close();
                    }
                }
            };
        } catch (RuntimeException e) {
            etcd.close();
            throw e;
        }
    }
}

package dev.navis.storage.mvcc;

import dev.navis.storage.Store;
import dev.navis.storage.tck.StoreTck;

/** The store contract against the in-memory MVCC store. */
class InMemoryMvccStoreTest extends StoreTck {
    @Override
    protected Store newStore(Settings settings) {
        return MvccStore.inMemory(Options.defaults()
                .withProgressInterval(settings.progressInterval())
                .withWatchBufferSize(settings.watchBufferSize()));
    }
}

package dev.navis.storage.mvcc;

import dev.navis.storage.wal.WriteAheadLog;

/** Durability through the write-ahead log: a change is acknowledged once its record is fsynced. */
final class WalJournal implements Journal {
    private final WriteAheadLog wal;

    WalJournal(WriteAheadLog wal) {
        this.wal = wal;
    }

    @Override
    public long append(Change change) {
        return wal.append(change);
    }

    @Override
    public void await(long ticket) {
        wal.await(ticket);
    }

    @Override
    public void close() {
        wal.close();
    }
}

package dev.navis.proxy.nftables;

import java.io.IOException;

/** Runs nft transactions: the real binary ({@link NftCommand}) or a recorder in tests. */
public interface Nft {

    /** Applies one {@code nft -f} script atomically; throws with nft's message when it is refused. */
    void apply(String script) throws IOException;

    /** True when the table exists (a cheap check that nobody removed it under us). */
    boolean tableExists(String family, String table) throws IOException;

    /** Removes the table if present. */
    void deleteTable(String family, String table) throws IOException;
}

package dev.navis.proxy.nftables;

import dev.navis.proxy.RuleBackend;
import dev.navis.proxy.ServicePort;
import java.io.IOException;
import java.util.List;

/** The proxy's rules as one nftables table, changed by minimal transactions ({@link NftRuleset}). */
public final class NftablesBackend implements RuleBackend {
    private final Nft nft;
    private final NftablesRules rules;
    private final String table;
    private NftRuleset applied;

    public NftablesBackend(Nft nft, NftablesRules.NftConfig config) {
        this.nft = nft;
        this.rules = new NftablesRules(config);
        this.table = config.table();
    }

    @Override
    public String sync(List<ServicePort> ports, boolean full) throws IOException {
        NftRuleset desired = rules.build(ports);
        String tx = full || applied == null ? desired.fullTransaction() : desired.transactionFrom(applied);
        if (!tx.isEmpty()) {
            try {
                nft.apply(tx);
            } catch (IOException e) {
                applied = null; // unknown state: the next sync replaces the table
                throw e;
            }
        }
        applied = desired;
        return tx;
    }

    @Override
    public boolean intact() throws IOException {
        return nft.tableExists("ip", table);
    }

    @Override
    public void cleanup() throws IOException {
        nft.deleteTable("ip", table);
        applied = null;
    }

    @Override
    public String name() {
        return "nftables, table ip " + table;
    }
}

package dev.navis.proxy;

import java.io.IOException;
import java.util.List;

/**
 * How the proxier programs the kernel: nftables ({@code nftables.NftablesBackend}) or iptables
 * ({@code iptables.IptablesBackend}). Called from the proxier's sync thread only.
 */
public interface RuleBackend {

    /**
     * Makes the kernel's rules those of {@code ports}.
     *
     * @param full rewrite everything rather than what changed since the last successful call
     * @return what was sent to the kernel, "" when nothing had changed
     */
    String sync(List<ServicePort> ports, boolean full) throws IOException;

    /** False when the rules were removed behind the proxy's back (the next sync is then a full one). */
    boolean intact() throws IOException;

    /** Removes everything this backend programmed. */
    void cleanup() throws IOException;

    /** "nftables" or "iptables", for logs. */
    String name();
}

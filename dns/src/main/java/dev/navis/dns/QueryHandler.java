package dev.navis.dns;

import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers one DNS query: authoritatively for the cluster zone and for the reverse names of cluster
 * addresses, by forwarding for everything else. Wire format in, wire format out.
 */
public final class QueryHandler {
    private static final int UDP_DEFAULT_SIZE = 512;
    private static final int UDP_MAX_SIZE = 4096;

    private final Supplier<DnsIndex> index;
    private final Forwarder forwarder;

    public QueryHandler(Supplier<DnsIndex> index, Forwarder forwarder) {
        this.index = index;
        this.forwarder = forwarder;
    }

    /** The answer to {@code wire}, or null when it is not even a DNS header (dropped, as servers do). */
    public byte[] handle(byte[] wire, boolean tcp) {
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException e) {
            if (wire.length < 12) {
                return null;
            }
            Message bad = new Message(((wire[0] & 0xff) << 8) | (wire[1] & 0xff));
            bad.getHeader().setFlag(Flags.QR);
            bad.getHeader().setRcode(Rcode.FORMERR);
            return bad.toWire();
        }
        int maxSize = tcp ? 65535 : udpSize(query);
        Record question = query.getQuestion();
        if (query.getHeader().getFlag(Flags.QR)) {
            return null;
        }
        if (query.getHeader().getOpcode() != Opcode.QUERY) {
            return reply(query, Rcode.NOTIMP).toWire(maxSize);
        }
        if (question == null) {
            return reply(query, Rcode.FORMERR).toWire(maxSize);
        }
        DnsIndex idx = index.get();
        Name qname = question.getName();
        int qtype = question.getType();
        if (qname.subdomain(idx.zone())) {
            return authoritative(query, idx, qname, qtype).toWire(maxSize);
        }
        if (qtype == Type.PTR) {
            Record ptr = idx.pointer(qname);
            if (ptr != null) {
                Message m = reply(query, Rcode.NOERROR);
                m.getHeader().setFlag(Flags.AA);
                m.addRecord(withName(ptr, qname), Section.ANSWER);
                return m.toWire(maxSize);
            }
        }
        byte[] forwarded = forwarder.forward(wire, tcp);
        if (forwarded == null) {
            return reply(query, Rcode.SERVFAIL).toWire(maxSize);
        }
        return forwarded;
    }

    private Message authoritative(Message query, DnsIndex idx, Name qname, int qtype) {
        List<Record> at = idx.at(qname);
        Message m = reply(query, Rcode.NOERROR);
        m.getHeader().setFlag(Flags.AA);
        boolean any = false;
        for (Record r : at) {
            if (qtype == Type.ANY || r.getType() == qtype || r.getType() == Type.CNAME) {
                m.addRecord(withName(r, qname), Section.ANSWER);
                any = true;
                if (r.getType() == Type.SRV) {
                    Name target = ((org.xbill.DNS.SRVRecord) r).getTarget();
                    for (Record glue : idx.at(target)) {
                        if (glue.getType() == Type.A || glue.getType() == Type.AAAA) {
                            m.addRecord(glue, Section.ADDITIONAL);
                        }
                    }
                }
            }
        }
        if (!any) {
            if (!idx.exists(qname)) {
                m.getHeader().setRcode(Rcode.NXDOMAIN);
            }
            m.addRecord(soa(idx.zone()), Section.AUTHORITY);
        }
        return m;
    }

    /** The record under the query's spelling of the name (DNS names are case-insensitive; answers echo). */
    private static Record withName(Record r, Name qname) {
        return r.getName().equals(qname) ? r : r.withName(qname);
    }

    /** CoreDNS' SOA for the cluster zone. */
    static SOARecord soa(Name zone) {
        try {
            long serial = System.currentTimeMillis() / 1000;
            return new SOARecord(zone, DClass.IN, DnsIndex.TTL, Name.fromString("ns.dns", zone),
                    Name.fromString("hostmaster", zone), serial, 7200, 1800, 86400, DnsIndex.TTL);
        } catch (org.xbill.DNS.TextParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Message reply(Message query, int rcode) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        if (query.getHeader().getFlag(Flags.RD)) {
            m.getHeader().setFlag(Flags.RD);
        }
        m.getHeader().setFlag(Flags.RA);
        m.getHeader().setRcode(rcode);
        if (query.getQuestion() != null) {
            m.addRecord(query.getQuestion(), Section.QUESTION);
        }
        OPTRecord opt = query.getOPT();
        if (opt != null) {
            m.addRecord(new OPTRecord(UDP_MAX_SIZE, 0, 0), Section.ADDITIONAL);
        }
        return m;
    }

    private static int udpSize(Message query) {
        OPTRecord opt = query.getOPT();
        if (opt == null) {
            return UDP_DEFAULT_SIZE;
        }
        return Math.max(UDP_DEFAULT_SIZE, Math.min(UDP_MAX_SIZE, opt.getPayloadSize()));
    }
}

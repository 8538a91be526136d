package dev.navis.controllers.nodeipam;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.client.events.EventRecorder;
import dev.navis.client.informer.Keys;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.Node;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Upstream's node IPAM controller with the RangeAllocator (pkg/controller/nodeipam): each node without a
 * {@code spec.podCIDR} gets the lowest free range of the cluster CIDR (--cluster-cidr, default 10.42.0.0/16,
 * cut at --node-cidr-mask-size, default /24) as spec.podCIDR and spec.podCIDRs. Ranges of existing nodes are
 * marked used (from the cache before any allocation) and a deleted node's range is released. When the
 * cluster CIDR is exhausted the node gets a CIDRNotAvailable event.
 */
public final class NodeIpamController implements Controller {

    public static final int DEFAULT_WORKERS = 1;

    private final KubeClient client;
    private final EventRecorder recorder;
    private final Lister<Node> nodes;
    private final long base;
    private final int prefix;
    private final int maskSize;
    private final int ranges;
    private final BitSet used = new BitSet();
    /** Node name to the range index it holds. */
    private final Map<String, Integer> allocated = new HashMap<>();
    private boolean loaded;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public NodeIpamController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    NodeIpamController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.recorder = context.recorder("cidrAllocator");
        this.nodes = context.informers().lister(Node.class);
        String cidr = context.options().clusterCidr();
        int slash = cidr.indexOf('/');
        this.prefix = Integer.parseInt(cidr.substring(slash + 1));
        this.base = ipToLong(cidr.substring(0, slash)) & mask(prefix);
        this.maskSize = context.options().nodeCidrMaskSize();
        if (maskSize < prefix || maskSize > 32) {
            throw new IllegalArgumentException("node CIDR mask size " + maskSize + " does not fit cluster CIDR " + cidr);
        }
        this.ranges = 1 << Math.min(30, maskSize - prefix);
        this.queue = new RateLimitingQueue<>("node-ipam", RateLimiters.defaultControllerRateLimiter(), clock);
        this.workers = new Workers<>("node-ipam", queue, this::sync, 0);
        context.informers().informer(Node.class).addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                queue.add(Keys.of(n));
            }

            @Override
            public void onUpdate(Node o, Node n) {
                if (podCidr(n) == null) {
                    queue.add(Keys.of(n));
                }
            }

            @Override
            public void onDelete(Node n, boolean finalStateUnknown) {
                queue.add(Keys.of(n));
            }
        });
    }

    @Override
    public void run(int count) {
        workers.start(count);
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
    }

    synchronized void sync(String name) {
        if (!loaded) {
            // upstream marks every existing node's range before allocating any
            for (Node n : nodes.list()) {
                occupy(n.getMetadata().getName(), podCidr(n));
            }
            loaded = true;
        }
        Node node = nodes.getByKey(name);
        if (node == null) {
            Integer i = allocated.remove(name);
            if (i != null) {
                used.clear(i);
            }
            return;
        }
        String existing = podCidr(node);
        if (existing != null) {
            occupy(name, existing);
            return;
        }
        Integer index = allocated.get(name);
        if (index == null) {
            index = used.nextClearBit(0);
            if (index >= ranges) {
                recorder.eventf(node, EventRecorder.NORMAL, "CIDRNotAvailable",
                        "Node %s status is now: %s", name, "CIDRNotAvailable");
                throw new IllegalStateException("cluster CIDR exhausted: no range for node " + name);
            }
            used.set(index);
            allocated.put(name, index);
        }
        String cidr = longToIp(base + ((long) index << (32 - maskSize))) + "/" + maskSize;
        try {
            client.nodes().patch(name, PatchType.MERGE,
                    "{\"spec\":{\"podCIDR\":\"" + cidr + "\",\"podCIDRs\":[\"" + cidr + "\"]}}");
        } catch (ApiException e) {
            if (e.isNotFound()) {
                allocated.remove(name);
                used.clear(index);
                return;
            }
            throw e; // kept reserved: the retry patches the same range
        }
    }

    private void occupy(String node, String cidr) {
        if (cidr == null) {
            return;
        }
        int index = indexOf(cidr);
        if (index >= 0) {
            used.set(index);
            allocated.put(node, index);
        }
    }

    /** The range index of {@code cidr} in the cluster CIDR, -1 when outside it or of another size. */
    int indexOf(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0 || Integer.parseInt(cidr.substring(slash + 1)) != maskSize) {
            return -1;
        }
        long ip = ipToLong(cidr.substring(0, slash));
        if ((ip & mask(prefix)) != base) {
            return -1;
        }
        return (int) ((ip - base) >> (32 - maskSize));
    }

    private static String podCidr(Node n) {
        if (n.getSpec() == null) {
            return null;
        }
        if (n.getSpec().getPodCIDR() != null && !n.getSpec().getPodCIDR().isEmpty()) {
            return n.getSpec().getPodCIDR();
        }
        List<String> cidrs = n.getSpec().getPodCIDRs();
        return cidrs == null || cidrs.isEmpty() ? null : cidrs.get(0);
    }

    private static long mask(int bits) {
        return bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
    }

    static long ipToLong(String ip) {
        String[] parts = ip.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + ip);
        }
        long v = 0;
        for (String p : parts) {
            v = (v << 8) | Integer.parseInt(p);
        }
        return v;
    }

    static String longToIp(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }
}

package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.quota.QuotaUsage;
import dev.navis.storage.ConflictException;
import dev.navis.storage.KeyNotFoundException;
import dev.navis.storage.KeyValue;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Upstream's ResourceQuota admission plugin: a write that would take a namespace past one of its ResourceQuotas is
 * refused with 403 Forbidden ({@code pods "web" is forbidden: exceeded quota: compute, requested: pods=1, used:
 * pods=2, limited: pods=2}), and an admitted one is charged to the quotas' {@code status.used} before it is stored,
 * so the next write sees it. The resourcequota controller recomputes {@code used} from the objects (a charged write
 * that then failed is corrected there) and fills {@code status.hard}; a quota is enforced from then on, for the
 * resources its {@code status.hard} names. Like upstream:
 * <ul>
 *   <li>creates of every counted kind are checked; updates of services and claims by the growth of their usage;
 *       pods' resources do not change after creation;</li>
 *   <li>a pod under a quota on cpu or memory must state them ({@code failed quota: compute: must specify
 *       limits.cpu for: app});</li>
 *   <li>a quota whose usage is not known yet refuses ({@code status unknown for quota: q, resources: pods});</li>
 *   <li>checks and charges of one namespace are serialized; a quota changed meanwhile is read again.</li>
 * </ul>
 */
final class ResourceQuotaAdmission implements KindBehaviour {
    private static final int ATTEMPTS = 4;
    private static final ReentrantLock[] LOCKS = new ReentrantLock[64];

    static {
        for (int i = 0; i < LOCKS.length; i++) {
            LOCKS[i] = new ReentrantLock();
        }
    }

    private final ResourceDefinition def;
    private final QuotaUsage.Counted kind;
    private final ObjectStorage quotas;

    /** Admission for objects of {@code def}, a kind quota counts; {@code quotas}: the ResourceQuotas' storage. */
    ResourceQuotaAdmission(ResourceDefinition def, ObjectStorage quotas) {
        this.def = def;
        this.kind = QuotaUsage.counted(def.group(), def.plural());
        this.quotas = quotas;
        if (kind == null) {
            throw new IllegalArgumentException(def.plural() + " is not counted by quota");
        }
    }

    /** Whether quota counts objects of {@code def}. */
    static boolean counts(ResourceDefinition def) {
        return QuotaUsage.counted(def.group(), def.plural()) != null;
    }

    @Override
    public void admit(ObjectNode object, ObjectNode old, boolean dryRun) {
        if (old != null && !usageChangesOnUpdate()) {
            return;
        }
        String namespace = object.path("metadata").path("namespace").asString("");
        if (namespace.isEmpty() || !quotas.anyIn(namespace)) {
            return; // the common case: a namespace without quotas
        }
        ReentrantLock lock = LOCKS[Math.floorMod(namespace.hashCode(), LOCKS.length)];
        lock.lock();
        try {
            charge(namespace, object, old, dryRun);
        } finally {
            lock.unlock();
        }
    }

    private boolean usageChangesOnUpdate() {
        return kind.group().isEmpty()
                && (kind.resource().equals("services") || kind.resource().equals("persistentvolumeclaims"));
    }

    private void charge(String namespace, ObjectNode object, ObjectNode old, boolean dryRun) {
        Instant now = Instant.now();
        QuotaUsage.Usage delta = QuotaUsage.of(kind, object, now);
        if (old != null) {
            QuotaUsage.Usage before = QuotaUsage.of(kind, old, now);
            before.amounts().forEach((name, value) -> delta.amounts().merge(name, value.negate(), BigDecimal::add));
        }
        Set<String> done = new HashSet<>();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<Charge> charges = new ArrayList<>();
            for (KeyValue kv : quotas.store().rangePrefix(quotas.prefix(namespace), 0, 0).kvs()) {
                ObjectNode quota = quotas.decode(kv);
                String quotaName = Json.name(quota);
                if (done.contains(quotaName)) {
                    continue;
                }
                ObjectNode charged = check(quota, object, delta);
                if (charged != null) {
                    charges.add(new Charge(kv, charged, quotaName));
                }
            }
            if (dryRun) {
                return;
            }
            boolean conflicted = false;
            for (Charge c : charges) {
                try {
                    quotas.store().update(c.kv().key(), c.kv().modRevision(), ObjectStorage.encode(c.quota()),
                            quotas.lease());
                    done.add(c.name());
                } catch (ConflictException | KeyNotFoundException changed) {
                    conflicted = true; // read it again: its usage or limits may have changed
                }
            }
            if (!conflicted) {
                return;
            }
        }
        throw ApiException.conflict("resourcequotas", "", "please apply your changes to the latest version and try "
                + "again");
    }

    /** The quota with this write charged to its status.used, or null when the write does not concern it. */
    private ObjectNode check(ObjectNode quota, ObjectNode object, QuotaUsage.Usage delta) {
        String quotaName = Json.name(quota);
        List<String> scopes = new ArrayList<>();
        quota.path("spec").path("scopes").forEach(s -> scopes.add(s.asString("")));
        if (!QuotaUsage.matchesScopes(kind, object, scopes)) {
            return null;
        }
        JsonNode hard = quota.path("status").path("hard");
        JsonNode used = quota.path("status").path("used");
        Set<String> restricted = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : hard.properties()) {
            if (QuotaUsage.measures(kind, e.getKey())) {
                restricted.add(e.getKey());
            }
        }
        if (restricted.isEmpty()) {
            return null;
        }
        if (kind.isPods()) {
            String missing = QuotaUsage.missingComputeResources(object, restricted);
            if (!missing.isEmpty()) {
                throw forbidden(object, "failed quota: " + quotaName + ": " + missing);
            }
        }
        for (String name : restricted) {
            if (!used.has(name)) {
                throw forbidden(object, "status unknown for quota: " + quotaName + ", resources: "
                        + String.join(",", restricted));
            }
        }
        Map<String, BigDecimal> requested = new TreeMap<>();
        for (String name : restricted) {
            BigDecimal amount = delta.amounts().get(name);
            if (amount != null && amount.signum() != 0) {
                requested.put(name, amount);
            }
        }
        if (requested.isEmpty()) {
            return null;
        }
        List<String> exceeded = new ArrayList<>();
        Map<String, BigDecimal> newUsed = new TreeMap<>();
        for (var e : requested.entrySet()) {
            BigDecimal now = value(used.get(e.getKey())).add(e.getValue());
            newUsed.put(e.getKey(), now);
            if (now.compareTo(value(hard.get(e.getKey()))) > 0) {
                exceeded.add(e.getKey());
            }
        }
        if (!exceeded.isEmpty()) {
            throw forbidden(object, "exceeded quota: " + quotaName
                    + ", requested: " + print(exceeded, name -> QuotaUsage.format(requested.get(name),
                            delta.binary().contains(name)))
                    + ", used: " + print(exceeded, name -> canonical(used.get(name)))
                    + ", limited: " + print(exceeded, name -> canonical(hard.get(name))));
        }
        ObjectNode charged = quota.deepCopy();
        ObjectNode chargedUsed = (ObjectNode) charged.path("status").path("used");
        newUsed.forEach((name, value) -> chargedUsed.put(name, QuotaUsage.format(value,
                QuotaUsage.isBinary(used.get(name)) || delta.binary().contains(name))));
        return charged;
    }

    /** A quota (as stored at {@code kv}) with a write charged. */
    private record Charge(KeyValue kv, ObjectNode quota, String name) {
    }

    private ApiException forbidden(ObjectNode object, String why) {
        return ApiException.forbidden(def, Json.name(object), why);
    }

    private static BigDecimal value(JsonNode quantity) {
        BigDecimal v = QuotaUsage.value(quantity);
        return v == null ? BigDecimal.ZERO : v;
    }

    private static String canonical(JsonNode quantity) {
        return QuotaUsage.format(value(quantity), QuotaUsage.isBinary(quantity));
    }

    /** Upstream's prettyPrint: {@code name=value} pairs, sorted by name, joined by commas. */
    private static String print(List<String> names, java.util.function.Function<String, String> valueOf) {
        return String.join(",", names.stream().sorted().map(n -> n + "=" + valueOf.apply(n)).toList());
    }
}

package dev.navis.controllers.history;

import dev.navis.api.selector.LabelSelector;
import dev.navis.client.ApiException;
import dev.navis.client.Json;
import dev.navis.client.KubeClient;
import dev.navis.client.PatchType;
import dev.navis.controllers.deployment.PodTemplateHash;
import dev.navis.controllers.util.ControllerRefs;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import tools.jackson.databind.JsonNode;

/**
 * Upstream's pkg/controller/history: the ControllerRevisions a StatefulSet or DaemonSet keeps of its pod
 * template. A revision is named {@code <parent>-<hash>}, where the hash (FNV-32a of the revision's data,
 * then of the collision count's digits, SafeEncodeString-encoded) is also its
 * {@code controller-revision-hash} label; its {@code revision} number orders the history. Two revisions
 * are equal when their data is; creating a revision whose name is taken by different data raises the
 * parent's collisionCount and tries the next name.
 */
public final class ControllerHistory {

    /** apps/v1 ControllerRevisionHashLabelKey (StatefulSetRevisionLabel, DefaultDaemonSetUniqueLabelKey). */
    public static final String HASH_LABEL = "controller-revision-hash";
    /** Upstream's name length budget: the hash suffix always fits a 253-character name. */
    private static final int MAX_PREFIX = 223;

    /** Oldest first: by revision number, then creation time, then name (upstream's byRevision). */
    public static final Comparator<ControllerRevision> BY_REVISION = Comparator
            .comparingLong((ControllerRevision r) -> r.getRevision() == null ? 0 : r.getRevision())
            .thenComparing(r -> String.valueOf(r.getMetadata().getCreationTimestamp()))
            .thenComparing(r -> r.getMetadata().getName());

    private final KubeClient client;

    public ControllerHistory(KubeClient client) {
        this.client = client;
    }

    /** A revision made and what collision count named it (the parent's status keeps the count). */
    public record Created(ControllerRevision revision, int collisionCount) {
    }

    public static String revisionName(String prefix, String hash) {
        if (prefix.length() > MAX_PREFIX) {
            prefix = prefix.substring(0, MAX_PREFIX);
        }
        return prefix + "-" + hash;
    }

    /** Upstream's HashControllerRevision. */
    public static String hash(Object data, Integer collisionCount) {
        int h = PodTemplateHash.fnv32a(PodTemplateHash.FNV32_OFFSET, Json.write(normalized(data)));
        if (collisionCount != null) {
            h = PodTemplateHash.fnv32a(h, Integer.toString(collisionCount).getBytes(StandardCharsets.UTF_8));
        }
        return PodTemplateHash.safeEncode(Long.toString(Integer.toUnsignedLong(h)));
    }

    /**
     * Upstream's NewControllerRevision: labels from the pod template plus the hash, a controllerRef to
     * {@code parent}, the data and revision number; named {@code <parent>-<hash>}.
     */
    public static ControllerRevision newRevision(HasMetadata parent, OwnerReference controllerRef,
                                                 Map<String, String> templateLabels, Object data, long revision,
                                                 Integer collisionCount) {
        Map<String, String> labels = templateLabels == null ? new HashMap<>() : new HashMap<>(templateLabels);
        String hash = hash(data, collisionCount);
        labels.put(HASH_LABEL, hash);
        ObjectMeta meta = new ObjectMeta();
        meta.setName(revisionName(parent.getMetadata().getName(), hash));
        meta.setNamespace(parent.getMetadata().getNamespace());
        meta.setLabels(labels);
        meta.setOwnerReferences(new ArrayList<>(List.of(controllerRef)));
        ControllerRevision cr = new ControllerRevision();
        cr.setApiVersion("apps/v1");
        cr.setKind("ControllerRevision");
        cr.setMetadata(meta);
        cr.setData(Json.convert(Json.tree(data), Object.class));
        cr.setRevision(revision);
        return cr;
    }

    /** Same data (upstream's EqualRevision, which compares the hash labels first, then the bytes). */
    public static boolean equal(ControllerRevision a, ControllerRevision b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(dataTree(a), dataTree(b));
    }

    public static JsonNode dataTree(ControllerRevision r) {
        return r.getData() == null ? null : normalized(r.getData());
    }

    /**
     * {@code data} as the JSON tree a parser makes of it. Trees built from objects keep Java's number types
     * (a fabric8 Long field gives a LongNode, the same value read from JSON an IntNode), and JsonNode equality
     * tells them apart: a round trip through text makes equal JSON compare equal.
     */
    public static JsonNode normalized(Object data) {
        return Json.read(Json.write(data), JsonNode.class);
    }

    /** The revisions of {@code history} equal to {@code needle}, in the history's order. */
    public static List<ControllerRevision> findEqual(List<ControllerRevision> history, ControllerRevision needle) {
        List<ControllerRevision> equal = new ArrayList<>();
        for (ControllerRevision r : history) {
            if (equal(r, needle)) {
                equal.add(r);
            }
        }
        return equal;
    }

    public static long maxRevision(List<ControllerRevision> history) {
        return history.stream().mapToLong(r -> r.getRevision() == null ? 0 : r.getRevision()).max().orElse(0);
    }

    /**
     * Upstream's adoptOrphanRevisions: the revisions {@code parent} controls plus the orphans in {@code all}
     * that match its selector, adopted with a controllerRef patch (uid-guarded), oldest first. A parent being
     * deleted adopts nothing; {@code canAdopt} (a live re-read) is asked once, before the first adoption.
     */
    public static List<ControllerRevision> adoptOrphans(KubeClient client, HasMetadata parent, OwnerReference controllerRef,
                                                        LabelSelector selector, List<ControllerRevision> all,
                                                        BooleanSupplier canAdopt) {
        List<ControllerRevision> owned = new ArrayList<>(ownedBy(parent, all));
        if (parent.getMetadata().getDeletionTimestamp() != null) {
            return owned;
        }
        Boolean adopting = null;
        for (ControllerRevision r : all) {
            if (ControllerRefs.controllerOf(r) != null || !selector.matches(ControllerRefs.labels(r))) {
                continue;
            }
            if (adopting == null) {
                adopting = canAdopt.getAsBoolean();
            }
            if (!adopting) {
                break;
            }
            String patch = "{\"metadata\":{\"ownerReferences\":[" + Json.writeString(controllerRef)
                    + "],\"uid\":\"" + r.getMetadata().getUid() + "\"}}";
            try {
                owned.add(client.resource(ControllerRevision.class).namespace(r.getMetadata().getNamespace())
                        .patch(r.getMetadata().getName(), PatchType.STRATEGIC_MERGE, patch));
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
        owned.sort(BY_REVISION);
        return owned;
    }

    /** The revisions in {@code all} that {@code parent} controls (adoption is the caller's business). */
    public static List<ControllerRevision> ownedBy(HasMetadata parent, List<ControllerRevision> all) {
        List<ControllerRevision> owned = new ArrayList<>();
        for (ControllerRevision r : all) {
            OwnerReference ref = ControllerRefs.controllerOf(r);
            if (ref != null && Objects.equals(ref.getUid(), parent.getMetadata().getUid())) {
                owned.add(r);
            }
        }
        owned.sort(BY_REVISION);
        return owned;
    }

    /**
     * Upstream's realHistory.CreateControllerRevision: creates {@code revision} named by the collision count;
     * when that name is taken by a revision with the same data, that one is the answer; with other data the
     * count goes up and the next name is tried.
     */
    public Created create(HasMetadata parent, ControllerRevision revision, int collisionCount) {
        int count = collisionCount;
        while (true) {
            ControllerRevision attempt = Json.deepCopy(revision);
            String hash = hash(revision.getData(), count);
            attempt.getMetadata().setName(revisionName(parent.getMetadata().getName(), hash));
            attempt.getMetadata().getLabels().put(HASH_LABEL, hash);
            try {
                return new Created(client.resource(ControllerRevision.class)
                        .namespace(parent.getMetadata().getNamespace()).create(attempt), count);
            } catch (ApiException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
                ControllerRevision existing = client.resource(ControllerRevision.class)
                        .namespace(parent.getMetadata().getNamespace()).get(attempt.getMetadata().getName());
                if (equal(existing, attempt)) {
                    return new Created(existing, count);
                }
                count++;
            }
        }
    }

    /** Upstream's UpdateControllerRevision: gives an existing revision a new revision number. */
    public ControllerRevision updateRevisionNumber(ControllerRevision revision, long number) {
        ControllerRevision copy = Json.deepCopy(revision);
        copy.setRevision(number);
        return client.resource(ControllerRevision.class).namespace(revision.getMetadata().getNamespace()).update(copy);
    }

    public void delete(ControllerRevision revision) {
        try {
            client.resource(ControllerRevision.class).namespace(revision.getMetadata().getNamespace())
                    .delete(revision.getMetadata().getName());
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }
}

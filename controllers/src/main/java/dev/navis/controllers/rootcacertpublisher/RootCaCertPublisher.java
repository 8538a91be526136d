package dev.navis.controllers.rootcacertpublisher;

import dev.navis.client.ApiException;
import dev.navis.client.KubeClient;
import dev.navis.client.informer.Lister;
import dev.navis.client.informer.ResourceEventHandler;
import dev.navis.client.informer.SharedIndexInformer;
import dev.navis.client.util.Clock;
import dev.navis.client.workqueue.RateLimiters;
import dev.navis.client.workqueue.RateLimitingQueue;
import dev.navis.client.workqueue.Workers;
import dev.navis.controllers.Controller;
import dev.navis.controllers.ControllerContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/**
 * Upstream's root-ca-cert-publisher (pkg/controller/certificates/rootcacertpublisher): every active namespace has
 * the ConfigMap {@value #NAME} whose {@code ca.crt} is the cluster's root CA, which the kube-api-access volume of
 * pods projects so that in-cluster clients trust the API server. A changed or deleted copy is put back. The CA is
 * the cluster signing certificate ({@code --cluster-signing-cert-file}; {@code navis server}: its own CA), which
 * Navis's API servers also serve with; without one the controller publishes nothing.
 */
public final class RootCaCertPublisher implements Controller {
    public static final String NAME = "kube-root-ca.crt";
    public static final String KEY = "ca.crt";
    static final String DESCRIPTION_ANNOTATION = "kubernetes.io/description";
    static final String DESCRIPTION = "Contains a CA bundle that can be used to verify the kube-apiserver when using "
            + "internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
            + "guaranteed across distributions of Kubernetes clusters.";
    public static final int DEFAULT_WORKERS = 1;

    private final KubeClient client;
    private final String rootCa;
    private final Lister<Namespace> namespaces;
    private final Lister<ConfigMap> configMaps;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public RootCaCertPublisher(ControllerContext context) {
        this(context, readRootCa(context), Clock.SYSTEM);
    }

    RootCaCertPublisher(ControllerContext context, String rootCa, Clock clock) {
        this.client = context.client();
        this.rootCa = rootCa;
        this.queue = new RateLimitingQueue<>("root_ca_cert_publisher", RateLimiters.defaultControllerRateLimiter(clock),
                clock);
        this.workers = new Workers<>("root_ca_cert_publisher", queue, this::syncNamespace, 0);
        SharedIndexInformer<ConfigMap> configMapInformer = context.informers().informer(ConfigMap.class);
        this.configMaps = configMapInformer.lister();
        configMapInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onUpdate(ConfigMap oldMap, ConfigMap newMap) {
                enqueueIfOurs(newMap);
            }

            @Override
            public void onDelete(ConfigMap map, boolean finalStateUnknown) {
                enqueueIfOurs(map);
            }
        });
        SharedIndexInformer<Namespace> namespaceInformer = context.informers().informer(Namespace.class);
        this.namespaces = namespaceInformer.lister();
        namespaceInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace namespace) {
                queue.add(namespace.getMetadata().getName());
            }

            @Override
            public void onUpdate(Namespace oldNamespace, Namespace newNamespace) {
                queue.add(newNamespace.getMetadata().getName());
            }
        });
    }

    private void enqueueIfOurs(ConfigMap map) {
        if (NAME.equals(map.getMetadata().getName())) {
            queue.add(map.getMetadata().getNamespace());
        }
    }

    private static String readRootCa(ControllerContext context) {
        var signing = context.options().clusterSigning();
        if (signing == null) {
            return null;
        }
        try {
            return Files.readString(signing.certFile(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the root CA " + signing.certFile(), e);
        }
    }

    @Override
    public void run(int count) {
        if (rootCa != null) {
            workers.start(count);
        }
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
    }

    /** Creates or repairs {@value #NAME} in namespace {@code name}, if it is active. */
    void syncNamespace(String name) {
        Namespace namespace = namespaces.get(name);
        if (namespace == null || namespace.getMetadata().getDeletionTimestamp() != null
                || namespace.getStatus() != null && "Terminating".equals(namespace.getStatus().getPhase())) {
            return;
        }
        ConfigMap current = configMaps.namespace(name).get(NAME);
        if (current == null) {
            ConfigMap wanted = new ConfigMapBuilder().withNewMetadata().withName(NAME).withNamespace(name)
                    .addToAnnotations(DESCRIPTION_ANNOTATION, DESCRIPTION).endMetadata()
                    .addToData(KEY, rootCa).build();
            try {
                client.configMaps().namespace(name).create(wanted);
            } catch (ApiException e) {
                // AlreadyExists: the cache is behind (the update event follows). Forbidden: the namespace is going away.
                if (!e.isAlreadyExists() && e.code() != 403) {
                    throw e;
                }
            }
            return;
        }
        Map<String, String> annotations = current.getMetadata().getAnnotations();
        boolean dataMatches = Map.of(KEY, rootCa).equals(current.getData());
        boolean annotated = annotations != null && annotations.containsKey(DESCRIPTION_ANNOTATION);
        if (dataMatches && annotated) {
            return;
        }
        ConfigMap updated = new ConfigMapBuilder(current).withData(Map.of(KEY, rootCa)).build();
        Map<String, String> newAnnotations = new HashMap<>(annotations == null ? Map.of() : annotations);
        newAnnotations.putIfAbsent(DESCRIPTION_ANNOTATION, DESCRIPTION);
        updated.getMetadata().setAnnotations(newAnnotations);
        client.configMaps().namespace(name).update(updated);
    }
}

package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.apiserver.ResourceApi;
import dev.navis.apiserver.openapi.UnknownFieldChecker;
import dev.navis.apiserver.rest.alloc.ServiceAllocator;
import dev.navis.apiserver.proxy.KubeletClient;
import dev.navis.apiserver.rest.metrics.KubeletScraper;
import dev.navis.apiserver.rest.metrics.MetricsStorage;
import dev.navis.apiserver.rest.metrics.ResourceMetrics;
import dev.navis.apiserver.rest.review.Reviews;
import dev.navis.storage.Store;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.server.Handler;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Kubernetes REST API of Navis: /api, /apis and everything below them (discovery, every verb of every
 * resource, subresources, watch), over a {@link Store}. {@link #start()} fills the watch caches, creates
 * the system namespaces and the default/kubernetes Service, and runs the background work (namespace
 * finalization, compaction).
 *
 * <pre>
 *   RestApi api = new RestApi(store, BuiltinResources.all());
 *   api.start();
 *   server.setHandler(api.handler());   // behind authentication
 * </pre>
 */
public final class RestApi implements ResourceApi {
    private static final Logger LOG = Logger.getLogger(RestApi.class.getName());

    /**
     * Tunables.
     *
     * @param compactionIntervalMillis  history kept for watches and continue tokens (upstream: 5 minutes)
     * @param bookmarkIntervalMillis    how often watches with allowWatchBookmarks get a BOOKMARK
     * @param eventWindow               events kept per resource for watch replay
     * @param minRequestTimeoutSeconds  watches without timeoutSeconds end after 1-2x this (upstream: 1800)
     * @param kubernetesServicePort     targetPort of the default/kubernetes Service (the secure port)
     */
    public record Options(long compactionIntervalMillis, long bookmarkIntervalMillis, int eventWindow,
                          long minRequestTimeoutSeconds, int kubernetesServicePort,
                          long defaultNotReadyTolerationSeconds, long defaultUnreachableTolerationSeconds) {
        public static final Options DEFAULT = new Options(5 * 60_000L, 60_000L, 4096, 1800, 6443);

        /** With upstream's default toleration seconds (300) for the DefaultTolerationSeconds admission. */
        public Options(long compactionIntervalMillis, long bookmarkIntervalMillis, int eventWindow,
                       long minRequestTimeoutSeconds, int kubernetesServicePort) {
            this(compactionIntervalMillis, bookmarkIntervalMillis, eventWindow, minRequestTimeoutSeconds,
                    kubernetesServicePort, dev.navis.apimachinery.admission.DefaultTolerationSeconds.DEFAULT_SECONDS,
                    dev.navis.apimachinery.admission.DefaultTolerationSeconds.DEFAULT_SECONDS);
        }
    }

    private final Store store;
    private final Options options;
    private final ResourceIndex index;
    /** Concurrent: custom resources are added and removed while requests are served. */
    private final Map<ResourceDefinition, RestStorage> storages = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<ObjectStorage> objectStorages = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CustomResourceServing customResources;
    private final NamespaceLifecycle namespaces;
    private final ServiceAllocator services;
    private final RestHandler handler;
    private final Compactor compactor;
    private ScheduledExecutorService background;
    /** Where this server is reached (address, bound port), told before start; null: not advertised. */
    private volatile String advertiseAddress;
    private volatile int advertisePort;
    private KubernetesEndpoints kubernetesEndpoints;
    private volatile boolean ready;
    /** metrics-server's default resolution: how often kubelets are scraped for resource metrics. */
    static final Duration METRIC_RESOLUTION = Duration.ofSeconds(15);
    static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(10);
    private final MetricsStorage metricsStorage = new MetricsStorage(METRIC_RESOLUTION);
    private KubeletScraper scraper;
    private ScheduledExecutorService scraping;
    /** Tests answer scrapes themselves; null: the kubelets are asked. */
    private volatile KubeletScraper.Fetcher metricsFetcher;
    private volatile KubeletClient kubelets = KubeletClient.insecure();

    public RestApi(Store store, List<ResourceDefinition> resources) {
        this(store, resources, Options.DEFAULT);
    }

    public RestApi(Store store, List<ResourceDefinition> resources, Options options) {
        this.store = store;
        this.options = options;
        List<ResourceDefinition> served = new ArrayList<>(resources);
        served.addAll(Reviews.definitions());
        boolean metricsServed = hasCore(resources, "nodes") && hasCore(resources, "pods");
        if (metricsServed) {
            served.addAll(ResourceMetrics.definitions());
        }
        this.index = new ResourceIndex(served);
        Map<String, ObjectStorage> byGroupResource = new HashMap<>();
        RestStorage[] namespaceStorage = new RestStorage[1];
        RestStorage.NamespaceGuard guard = (ns, def, name) -> namespaceGuard().requireWritable(ns, def, name);
        for (ResourceDefinition def : resources) {
            ObjectStorage os = byGroupResource.computeIfAbsent(index.storageVersion(def).groupResource(), gr -> {
                ObjectStorage created = new ObjectStorage(index.storageVersion(def), store, options.eventWindow(), 1024);
                objectStorages.add(created);
                return created;
            });
            RestStorage rs = new RestStorage(def, os, guard);
            storages.put(def, rs);
            if (def.group().isEmpty() && def.plural().equals("namespaces") && namespaceStorage[0] == null) {
                namespaceStorage[0] = rs;
            }
        }
        if (namespaceStorage[0] == null) {
            throw new IllegalArgumentException("the resources must include core/v1 namespaces");
        }
        this.namespaces = new NamespaceLifecycle(namespaceStorage[0], this::namespacedStorages);
        ResourceDefinition serviceDef = index.find("", "v1", "services");
        this.services = serviceDef == null ? null : new ServiceAllocator(serviceDef, store);
        if (services != null) {
            storages.get(serviceDef).setBehaviour(services);
        }
        ResourceDefinition podDef = index.find("", "v1", "pods");
        ResourceDefinition priorityClassDef = index.find("scheduling.k8s.io", "v1", "priorityclasses");
        if (podDef != null) {
            // pods' admission plugins, in upstream's order: LimitRanger, ServiceAccount, Priority, DefaultTolerationSeconds
            // (on create); ResourceQuota comes last, below
            KindBehaviour defaultTolerations = new KindBehaviour() {
                @Override
                public void beforeCreate(tools.jackson.databind.node.ObjectNode pod, boolean dryRun) {
                    dev.navis.apimachinery.admission.DefaultTolerationSeconds.apply(pod,
                            options.defaultNotReadyTolerationSeconds(), options.defaultUnreachableTolerationSeconds());
                }
            };
            ResourceDefinition serviceAccountDef = index.find("", "v1", "serviceaccounts");
            List<KindBehaviour> admission = new ArrayList<>();
            ResourceDefinition limitRangeDef = index.find("", "v1", "limitranges");
            if (limitRangeDef != null) {
                admission.add(new LimitRanger(podDef, storages.get(limitRangeDef).storage()));
            }
            if (serviceAccountDef != null) {
                admission.add(new ServiceAccountAdmission(storages.get(serviceAccountDef).storage()));
            }
            if (priorityClassDef != null) {
                admission.add(new PriorityAdmission(podDef, storages.get(priorityClassDef).storage()));
            }
            admission.add(defaultTolerations);
            storages.get(podDef).setBehaviour(KindBehaviour.chain(admission.toArray(KindBehaviour[]::new)));
        }
        ResourceDefinition claimDef = index.find("", "v1", "persistentvolumeclaims");
        ResourceDefinition storageClassDef = index.find("storage.k8s.io", "v1", "storageclasses");
        if (claimDef != null && storageClassDef != null) {
            storages.get(claimDef).setBehaviour(new DefaultStorageClassAdmission(storages.get(storageClassDef).storage()));
        }
        ResourceDefinition quotaDef = index.find("", "v1", "resourcequotas");
        if (quotaDef != null) {
            // ResourceQuota is the last admission plugin, as upstream orders them
            ObjectStorage quotaStorage = storages.get(quotaDef).storage();
            for (var e : storages.entrySet()) {
                if (ResourceQuotaAdmission.counts(e.getKey())) {
                    e.getValue().setBehaviour(KindBehaviour.chain(e.getValue().behaviour(),
                            new ResourceQuotaAdmission(e.getKey(), quotaStorage)));
                }
            }
        }
        ResourceDefinition crdDef = index.find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
        if (crdDef != null) {
            RestStorage crdStorage = storages.get(crdDef);
            this.customResources = new CustomResourceServing(store, index, storages, objectStorages, guard,
                    options.eventWindow(), crdStorage);
            CrdConditions.Listener serveAtOnce = new CrdConditions.Listener() {
                @Override
                public void written(ObjectNode crd) {
                    customResources.observe(crd, store.currentRevision());
                }

                @Override
                public void deleted(ObjectNode crd) {
                    customResources.deleted(crd);
                }
            };
            // names are checked against the store, not the cache: a CRD written a moment ago counts
            crdStorage.setBehaviour(new CrdConditions(() -> crdStorage.readConsistent("").objects(), serveAtOnce));
        } else {
            this.customResources = null;
        }
        ResourceMetrics resourceMetrics = null;
        if (metricsServed) {
            RestStorage nodeStorage = storages.get(index.find("", "v1", "nodes"));
            resourceMetrics = new ResourceMetrics(metricsStorage, nodeStorage, storages.get(podDef));
            scraper = new KubeletScraper(new KubeletTargets(nodeStorage), this::fetchFromKubelet, metricsStorage,
                    SCRAPE_TIMEOUT);
        }
        this.handler = new RestHandler(index, storages, namespaces, options, new Reviews(Reviews.AccessReviewer.ALLOW_ALL),
                new UnknownFieldChecker(), resourceMetrics);
        this.compactor = new Compactor(store);
    }

    private static boolean hasCore(List<ResourceDefinition> resources, String plural) {
        return resources.stream().anyMatch(d -> d.group().isEmpty() && d.plural().equals(plural));
    }

    /** GET of a kubelet URL with the API server's kubelet client; any answer but 200 is a failure. */
    private String fetchFromKubelet(URI uri) throws Exception {
        KubeletScraper.Fetcher replaced = metricsFetcher;
        if (replaced != null) {
            return replaced.get(uri);
        }
        HttpResponse<String> answer = kubelets.http().send(HttpRequest.newBuilder(uri).timeout(SCRAPE_TIMEOUT).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new java.io.IOException(uri + " answered " + answer.statusCode());
        }
        return answer.body();
    }

    private void safeScrape() {
        try {
            scraper.scrapeOnce();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "scraping kubelets for resource metrics failed", e);
        }
    }

    private NamespaceLifecycle namespaceGuard() {
        return namespaces;
    }

    /** One storage per namespaced resource (its first version). */
    private List<RestStorage> namespacedStorages() {
        List<RestStorage> out = new ArrayList<>();
        List<ObjectStorage> seen = new ArrayList<>();
        for (RestStorage rs : storages.values()) {
            if (rs.definition().namespaced() && !seen.contains(rs.storage())) {
                seen.add(rs.storage());
                out.add(rs);
            }
        }
        return out;
    }

    /** How pods/log, exec, attach, portforward and the proxies reach kubelets (default: no client certificate). */
    @Override
    public void useKubeletClient(dev.navis.apiserver.proxy.KubeletClient client) {
        handler.useKubeletClient(client);
        this.kubelets = client;
    }

    /** Serves serviceaccounts/token, signing with {@code tokens}; {@code audiences} are the API server's. */
    @Override
    public void useServiceAccountTokens(dev.navis.apiserver.auth.ServiceAccountTokens tokens, List<String> audiences) {
        handler.useServiceAccountTokens(tokens, audiences);
    }

    /**
     * Whether the request is a GET of one object of a stored resource (no subresource, not a watch) over a store
     * that reads from memory: its answer comes from the store and the served-JSON memo without blocking.
     *
     * @param query the raw query: a GET of one name with {@code watch=true} is a watch (conservatively, any query
     *              that mentions watch is taken for one)
     */
    public boolean readsFromMemory(dev.navis.apiserver.RequestInfo info, String query) {
        if (!store.readsFromMemory() || !info.isResourceRequest() || !info.verb().equals("get")
                || !info.subresource().isEmpty() || info.name().isEmpty()
                || (query != null && query.contains("watch"))) {
            return false;
        }
        ResourceDefinition def = index.find(info.apiGroup(), info.apiVersion(), info.resource());
        return def != null && !dev.navis.apiserver.rest.metrics.ResourceMetrics.isMetrics(def)
                && !dev.navis.apiserver.rest.review.Reviews.isReview(def);
    }

    /** The Jetty handler for /api and /apis (it declines every other path). */
    @Override
    public Handler handler() {
        return handler;
    }

    /** Fills the caches, bootstraps the system objects and starts the background work. */
    @Override
    public synchronized void start() {
        for (ObjectStorage os : objectStorages) {
            os.cache().start();
        }
        namespaces.ensureSystemNamespaces();
        if (services != null) {
            RestStorage svc = storages.get(index.find("", "v1", "services"));
            services.load(svc.list("", new ListOptions(ObjectFilter.everything(svc.definition()), 0, "", "", "")).items());
            ensureKubernetesService(svc);
        }
        background = Executors.newScheduledThreadPool(1, Thread.ofVirtual().name("rest-background").factory());
        background.scheduleWithFixedDelay(this::safeFinalizePass, 1, 1, TimeUnit.SECONDS);
        if (customResources != null) {
            customResources.reconcile(); // the CRDs stored before this start are served before it reports ready
            background.scheduleWithFixedDelay(this::safeCustomResourcePass, 1, 1, TimeUnit.SECONDS);
        }
        ResourceDefinition endpointsDef = index.find("", "v1", "endpoints");
        if (advertiseAddress != null && endpointsDef != null) {
            ResourceDefinition slicesDef = index.find("discovery.k8s.io", "v1", "endpointslices");
            kubernetesEndpoints = new KubernetesEndpoints(store, storages.get(endpointsDef),
                    slicesDef == null ? null : storages.get(slicesDef), advertiseAddress, advertisePort);
            reconcileKubernetesEndpoints(); // listed before it reports ready, then renewed within the lease
            // upstream's endpoint reconciler runs every 10 s (--endpoint-reconciler-type=lease's interval)
            background.scheduleWithFixedDelay(this::reconcileKubernetesEndpoints, 10, 10, TimeUnit.SECONDS);
        }
        if (scraper != null) {
            // its own thread: a scrape waits up to SCRAPE_TIMEOUT for slow kubelets
            scraping = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("metrics-scraper").factory());
            scraping.scheduleAtFixedRate(this::safeScrape, 0, METRIC_RESOLUTION.toMillis(), TimeUnit.MILLISECONDS);
        }
        background.scheduleWithFixedDelay(compactor::tick, options.compactionIntervalMillis(),
                options.compactionIntervalMillis(), TimeUnit.MILLISECONDS);
        ready = true;
    }

    /**
     * Where pods and other servers reach this server: with it, the server keeps itself in the
     * {@code default/kubernetes} Endpoints and EndpointSlice (see {@link KubernetesEndpoints}). Told before
     * {@link #start()}; without it those objects are not written.
     */
    @Override
    public void advertise(String address, int port) {
        this.advertiseAddress = address;
        this.advertisePort = port;
    }

    /** Renews this server's entry and rewrites the default/kubernetes endpoints when they differ. */
    void reconcileKubernetesEndpoints() {
        KubernetesEndpoints endpoints = kubernetesEndpoints;
        if (endpoints == null) {
            return;
        }
        try {
            endpoints.reconcile();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "reconciling the endpoints of default/kubernetes failed", e);
        }
    }

    private void safeFinalizePass() {
        try {
            namespaces.finalizePass();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "namespace finalization pass failed", e);
        }
    }

    /** Learns CRDs other servers wrote and finishes the deletion of deleted ones. */
    private void safeCustomResourcePass() {
        try {
            customResources.reconcile();
            customResources.cleanupPass();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "custom resource pass failed", e);
        }
    }

    private void ensureKubernetesService(RestStorage svc) {
        if (svc.storage().read("default", "kubernetes") != null) {
            return;
        }
        ObjectNode s = Json.object();
        s.put("apiVersion", "v1");
        s.put("kind", "Service");
        ObjectNode meta = Json.meta(s);
        meta.put("name", "kubernetes");
        meta.put("namespace", "default");
        ObjectNode labels = meta.putObject("labels");
        labels.put("component", "apiserver");
        labels.put("provider", "kubernetes");
        ObjectNode spec = s.putObject("spec");
        spec.put("type", "ClusterIP");
        spec.put("clusterIP", ServiceAllocator.KUBERNETES_SERVICE_IP);
        spec.put("sessionAffinity", "None");
        ObjectNode port = spec.putArray("ports").addObject();
        port.put("name", "https");
        port.put("protocol", "TCP");
        port.put("port", 443);
        port.put("targetPort", options.kubernetesServicePort());
        // another API server on the same store may create it at the same moment: its IP claim or its key wins,
        // and the Service appears once that server has stored it
        for (int attempt = 0; ; attempt++) {
            try {
                svc.create("default", s.deepCopy(), false);
                return;
            } catch (ApiException e) {
                if (svc.storage().read("default", "kubernetes") != null) {
                    return;
                }
                if (attempt >= 50) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the background work and the watch caches (open watches end). */
    @Override
    public synchronized void stop() {
        ready = false;
        if (background != null) {
            background.shutdownNow();
            background = null;
        }
        if (scraping != null) {
            scraping.shutdownNow();
            scraping = null;
        }
        if (kubernetesEndpoints != null) {
            try {
                kubernetesEndpoints.remove();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "removing this server from the kubernetes endpoints failed", e);
            }
            kubernetesEndpoints = null;
        }
        for (ObjectStorage os : objectStorages) {
            os.cache().close();
        }
    }

    /**
     * Objects stored per resource (upstream's {@code apiserver_storage_objects}: "pods", "deployments.apps"), as
     * the watch caches hold them; resources whose cache is not filled yet are left out.
     */
    public java.util.Map<String, Long> storedObjects() {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        for (ObjectStorage os : objectStorages) {
            if (os.cache().ready()) {
                counts.put(os.definition().groupResource(), (long) os.cache().size());
            }
        }
        return counts;
    }

    /** True once started and every watch cache is filled. */
    @Override
    public boolean ready() {
        if (!ready) {
            return false;
        }
        for (ObjectStorage os : objectStorages) {
            if (!os.cache().ready()) {
                return false;
            }
        }
        return true;
    }

    /** The versions of custom resources served now (a new list after every change). */
    public List<ResourceDefinition> customResources() {
        List<ResourceDefinition> out = new ArrayList<>();
        for (ResourceDefinition d : index.all()) {
            if (CustomResourceServing.isCustom(d)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Answers every scrape (scheduled or {@link #scrapeMetricsNow()}) with {@code fetcher} instead of HTTPS (tests). */
    void answerScrapesWith(KubeletScraper.Fetcher fetcher) {
        metricsFetcher = fetcher;
    }

    /** Scrapes the kubelets now (tests). */
    void scrapeMetricsNow() {
        scraper.scrapeOnce();
    }

    /** Runs one compaction tick now. */
    void compactNow() {
        compactor.tick();
    }
}

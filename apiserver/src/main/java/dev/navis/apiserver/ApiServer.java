package dev.navis.apiserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

import dev.navis.apiserver.auth.AuthenticationHandler;
import dev.navis.apiserver.auth.Authenticator;
import dev.navis.apiserver.auth.BootstrapTokenAuthenticator;
import dev.navis.apiserver.auth.ServiceAccountTokenAuthenticator;
import dev.navis.apiserver.auth.ServiceAccountTokens;
import dev.navis.apiserver.auth.TokenAuthenticator;
import dev.navis.apiserver.auth.TokenFile;
import dev.navis.apiserver.auth.UserInfo;
import dev.navis.apiserver.auth.X509Authenticator;
import dev.navis.apiserver.certs.ClusterCertificates;
import dev.navis.apiserver.certs.FilePermissions;
import dev.navis.apiserver.certs.Kubeconfig;
import dev.navis.apiserver.certs.KubeletClientCertificate;
import dev.navis.apiserver.proxy.KubeletClient;
import dev.navis.apiserver.certs.ServiceAccountKey;
import dev.navis.apiserver.certs.ServingNames;
import dev.navis.apiserver.health.HealthCheck;
import dev.navis.apiserver.health.HealthHandler;
import dev.navis.apiserver.metrics.ApiServerMetrics;
import dev.navis.apiserver.metrics.MetricsEndpoint;
import dev.navis.apiserver.metrics.MetricsHandler;
import dev.navis.apiserver.server.DispatchHandler;
import dev.navis.apiserver.server.DrainHandler;
import dev.navis.apiserver.server.GateHandler;
import dev.navis.apiserver.server.JsonDocumentHandler;
import dev.navis.apiserver.server.HttpsServerFactory;
import dev.navis.apiserver.server.RequestBodyLimitHandler;
import dev.navis.apiserver.server.RequestInfoHandler;
import dev.navis.apiserver.server.Router;
import dev.navis.apiserver.server.VersionHandler;
import dev.navis.api.ResourceDefinition;
import dev.navis.apimachinery.registry.BuiltinResources;
import dev.navis.apiserver.openapi.OpenApiService;
import dev.navis.apiserver.rest.RestApi;
import dev.navis.storage.Store;
import dev.navis.storage.mvcc.MvccStore;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server process: one HTTPS port in front of the store, as kube-apiserver.
 *
 * <p>Starting it opens the store under the data directory, makes (first start) or loads the cluster PKI and
 * the admin token, listens on HTTPS (HTTP/2 and HTTP/1.1) and writes {@code <dataDir>/kubeconfig.yaml} for the
 * port it bound. Every request then passes through one chain: {@link RequestInfo} parsing, drain accounting,
 * metrics, authentication (client certificate or bearer token; anonymous only for health and version), the
 * 3 MiB body limit, and the routes {@code /healthz /livez /readyz /version /metrics}, and {@code /api /apis
 * /openapi} which the {@link ResourceApi} serves. {@code /readyz} fails until the store answers and the resource API has
 * started, and again from the moment shutdown begins. Stopping stops accepting, lets short requests finish,
 * stops the resource API (ending watches), then the server, then closes the store.
 *
 * <pre>
 *   ApiServerOptions options = ApiServerOptions.defaults().withDataDir(dir).withPort(0);
 *   try (ApiServer server = ApiServer.create(options, resources)) {   // MvccStore + RestApi
 *       server.start();
 *       // kubectl --kubeconfig server.kubeconfigFile() get namespaces
 *   }
 * </pre>
 *
 * <p>Tests and other assemblies choose the store and the resource API themselves:
 *
 * <pre>
 *   new ApiServer(options, storeDir -&gt; MvccStore.inMemory(), store -&gt; myResourceApi(store))
 * </pre>
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);

    private final ApiServerOptions options;
    private final Function<Path, Store> openStore;
    private final Function<Store, ResourceApi> newResourceApi;
    private final ApiServerMetrics metrics = new ApiServerMetrics();

    private volatile Store store;
    private ResourceApi resourceApi;
    private Server server;
    private DrainHandler drain;
    private ClusterCertificates certificates;
    private ServiceAccountTokens serviceAccountTokens;
    private volatile int boundPort;
    private volatile boolean apiStarted;
    private volatile boolean shuttingDown;
    private boolean started;
    private boolean stopped;
    private Thread shutdownHook;

    /**
     * @param options        where and how to serve
     * @param openStore      opens the store in the given directory ({@link ApiServerOptions#storeDir()})
     * @param newResourceApi makes what serves /api and /apis over that store
     */
    public ApiServer(ApiServerOptions options, Function<Path, Store> openStore, Function<Store, ResourceApi> newResourceApi) {
        this.options = options;
        this.openStore = openStore;
        this.newResourceApi = newResourceApi;
    }

    /** The production server over every built-in resource ({@link BuiltinResources#all()}). */
    public static ApiServer create(ApiServerOptions options) {
        return create(options, BuiltinResources.all());
    }

    /**
     * The production server: the durable embedded store in {@link ApiServerOptions#storeDir()}, the REST API
     * serving {@code resources} over it and their OpenAPI documents.
     */
    public static ApiServer create(ApiServerOptions options, List<ResourceDefinition> resources) {
        return create(options, resources, dir -> MvccStore.open(dir, dev.navis.storage.mvcc.Options.defaults()));
    }

    /**
     * The production server over another store (etcd, chosen by the command line), opened by {@code openStore};
     * the data directory still holds certificates, tokens and the kubeconfig.
     */
    public static ApiServer create(ApiServerOptions options, List<ResourceDefinition> resources,
                                   Function<Path, Store> openStore) {
        int servicePort = options.port() != 0 ? options.port() : ApiServerOptions.DEFAULT_PORT;
        RestApi.Options restOptions = new RestApi.Options(RestApi.Options.DEFAULT.compactionIntervalMillis(),
                RestApi.Options.DEFAULT.bookmarkIntervalMillis(), RestApi.Options.DEFAULT.eventWindow(),
                RestApi.Options.DEFAULT.minRequestTimeoutSeconds(), servicePort,
                options.defaultNotReadyTolerationSeconds(), options.defaultUnreachableTolerationSeconds());
        return new ApiServer(options, openStore,
                store -> {
                    RestApi api = new RestApi(store, resources, restOptions);
                    OpenApiService openApi = new OpenApiService(resources);
                    openApi.useCustomResources(api::customResources);
                    return new RestResourceApi(api, openApi);
                });
    }

    /** {@link RestApi} and the OpenAPI documents in the chain. */
    private static final class RestResourceApi implements ResourceApi {
        private final RestApi api;
        private final Handler handler;

        RestResourceApi(RestApi api, OpenApiService openApi) {
            this.api = api;
            // each declines the paths it does not serve
            this.handler = new Handler.Sequence(openApi.handler(), api.handler());
        }

        @Override
        public Handler handler() {
            return handler;
        }

        @Override
        public void start() {
            api.start();
        }

        @Override
        public void useKubeletClient(dev.navis.apiserver.proxy.KubeletClient client) {
            api.useKubeletClient(client);
        }

        @Override
        public void useServiceAccountTokens(dev.navis.apiserver.auth.ServiceAccountTokens tokens,
                                            List<String> audiences) {
            api.useServiceAccountTokens(tokens, audiences);
        }

        @Override
        public void advertise(String address, int port) {
            api.advertise(address, port);
        }

        @Override
        public void stop() {
            api.stop();
        }

        @Override
        public boolean ready() {
            return api.ready();
        }

        @Override
        public java.util.Map<String, Long> storedObjects() {
            return api.storedObjects();
        }

        @Override
        public boolean readsFromMemory(RequestInfo info, String query) {
            return api.readsFromMemory(info, query);
        }
    }

    /** Starts everything; returns once the port is bound and the resource API has started. */
    public synchronized void start() throws Exception {
        if (started) {
            throw new IllegalStateException("an ApiServer starts once");
        }
        started = true;
        FilePermissions.createPrivateDirectory(options.dataDir());
        certificates = ClusterCertificates.loadOrCreate(options.pkiDir(), ServingNames.ofThisHost());
        serviceAccountTokens = new ServiceAccountTokens(ServiceAccountKey.loadOrCreate(options.pkiDir()),
                ServiceAccountTokens.DEFAULT_ISSUER);
        List<String> audiences = List.of(serviceAccountTokens.issuer());
        // bootstrap tokens (<id>.<secret>) and service-account JWTs before the static tokens, which refuse every
        // token they do not know
        List<Authenticator> authenticators = List.of(new X509Authenticator(certificates.ca()),
                new BootstrapTokenAuthenticator(this::kubeSystemSecret, java.time.Clock.systemUTC()),
                new ServiceAccountTokenAuthenticator(serviceAccountTokens, audiences, this::storedCoreObject,
                        java.time.Clock.systemUTC()),
                new TokenAuthenticator(TokenFile.read(ensureTokenFile())));

        store = openStore.apply(options.storeDir());
        try {
            resourceApi = newResourceApi.apply(store);
            resourceApi.useServiceAccountTokens(serviceAccountTokens, audiences);
            ResourceApi api = resourceApi;
            metrics.storedObjects(api::storedObjects);
            char[] password = newPassword();
            resourceApi.useKubeletClient(new KubeletClient(
                    KubeletClientCertificate.loadOrCreate(options.pkiDir(), certificates, password), password, null));
            drain = new DrainHandler(new MetricsHandler(metrics,
                    new AuthenticationHandler(authenticators, new RequestBodyLimitHandler(routes()))));
            server = HttpsServerFactory.create(options.bindAddress(), options.port(),
                    certificates.servingKeyStore(password), password, certificates.trustStore(),
                    new RequestInfoHandler(new DispatchHandler(resourceApi::readsFromMemory, drain)));
            server.start();
            boundPort = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
            Kubeconfig.write(options.kubeconfigFile(), url().toString(), certificates);
            resourceApi.advertise(AdvertiseAddress.choose(options.bindAddress()).getHostAddress(), boundPort);
            resourceApi.start();
            apiStarted = true;
        } catch (Exception e) {
            stop();
            throw e;
        }
        LOG.info("API server listening on {}", url());
    }

    /** Stops gracefully (see the class comment); safe to call more than once and from a shutdown hook. */
    public synchronized void stop() {
        if (!started || stopped) {
            return;
        }
        stopped = true;
        shuttingDown = true;
        if (server == null) {
            // start failed before the HTTPS server existed
            closeStore();
            return;
        }
        try {
            for (var connector : server.getConnectors()) {
                if (connector instanceof ServerConnector sc) {
                    sc.close(); // stop accepting; open connections finish what they started
                }
            }
            if (!drain.awaitIdle(options.shutdownTimeout())) {
                LOG.warn("shutdown: {} requests still running after {}", drain.inFlight(), options.shutdownTimeout());
            }
            if (resourceApi != null && apiStarted) {
                resourceApi.stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("shutdown: resource API did not stop cleanly", e);
        }
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("shutdown: HTTPS server did not stop cleanly", e);
        }
        closeStore();
        if (shutdownHook != null && !Thread.currentThread().equals(shutdownHook)) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the JVM is exiting: the hook runs or ran
            }
        }
        LOG.info("API server stopped");
    }

    private void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    /** Stops this server when the JVM is asked to exit (SIGTERM, Ctrl-C). */
    public synchronized ApiServer stopOnShutdown() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::stop, "navis-apiserver-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        return this;
    }

    /** Blocks until the server has stopped. */
    public void join() throws InterruptedException {
        Server s;
        synchronized (this) {
            s = server;
        }
        if (s != null) {
            s.join();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return boundPort;
    }

    /** The URL clients on this machine use, e.g. https://127.0.0.1:6443. */
    public URI url() {
        return URI.create("https://" + clientHost() + ":" + port());
    }

    public ApiServerOptions options() {
        return options;
    }

    public Path kubeconfigFile() {
        return options.kubeconfigFile();
    }

    public ClusterCertificates certificates() {
        return certificates;
    }

    public ApiServerMetrics metrics() {
        return metrics;
    }

    /** True while the store answers, the resource API has started and shutdown has not begun (/readyz). */
    public boolean isReady() {
        if (shuttingDown || !apiStarted) {
            return false;
        }
        try {
            store.currentRevision();
            return resourceApi.ready();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Router routes() {
        HealthCheck ping = HealthCheck.ping();
        HealthCheck log = HealthCheck.of("log", () -> { });
        HealthCheck storage = HealthCheck.of("etcd", () -> {
            if (store == null) {
                throw new IllegalStateException("store not open");
            }
            store.currentRevision();
        });
        HealthCheck restApi = HealthCheck.of("poststarthook/start-resource-api", () -> {
            if (!apiStarted) {
                throw new IllegalStateException("resource API not started");
            }
            if (!resourceApi.ready()) {
                throw new IllegalStateException("resource API not ready");
            }
        });
        HealthCheck shutdown = HealthCheck.of("shutdown", () -> {
            if (shuttingDown) {
                throw new IllegalStateException("process is shutting down");
            }
        });
        HealthHandler healthz = new HealthHandler("healthz", List.of(ping, log, storage, restApi));
        HealthHandler livez = new HealthHandler("livez", List.of(ping, log, storage, restApi));
        HealthHandler readyz = new HealthHandler("readyz", List.of(ping, log, storage, restApi, shutdown));
        GateHandler api = new GateHandler(() -> apiStarted && !shuttingDown, "the API server is starting or stopping",
                resourceApi.handler());
        return new Router()
                .tree(healthz.path(), healthz)
                .tree(livez.path(), livez)
                .tree(readyz.path(), readyz)
                .tree("/version", new VersionHandler())
                .exact("/metrics", new MetricsEndpoint(metrics))
                .exact("/.well-known/openid-configuration",
                        new JsonDocumentHandler(() -> serviceAccountTokens.openIdConfiguration()))
                .exact("/openid/v1/jwks", new JsonDocumentHandler(() -> serviceAccountTokens.jwks()))
                .tree("/api", api)
                .tree("/apis", api)
                .tree("/openapi", api);
    }

    /** A stored core/v1 object (for the service-account token authenticator), or null. */
    private tools.jackson.databind.JsonNode storedCoreObject(String resource, String namespace, String name) {
        Store current = store;
        if (current == null) {
            return null;
        }
        dev.navis.storage.KeyValue kv = current.get("/registry/" + resource + "/" + namespace + "/" + name);
        return kv == null ? null : dev.navis.apiserver.rest.Json.parseStored(kv.value());
    }

    /** A kube-system Secret as stored (for the bootstrap token authenticator), or null. */
    private tools.jackson.databind.JsonNode kubeSystemSecret(String name) {
        Store current = store;
        if (current == null) {
            return null;
        }
        dev.navis.storage.KeyValue kv = current.get("/registry/secrets/kube-system/" + name);
        return kv == null ? null : dev.navis.apiserver.rest.Json.parseStored(kv.value());
    }

    /** The token file in use, made with one admin token when it is the default one and absent. */
    private Path ensureTokenFile() throws IOException {
        Path file = options.tokenFile();
        if (options.tokenAuthFile() == null && !Files.exists(file)) {
            TokenFile.create(file, ClusterCertificates.ADMIN_USER, ClusterCertificates.ADMIN_USER,
                    List.of(UserInfo.MASTERS_GROUP));
            LOG.info("generated admin token in {}", file);
        }
        if (!Files.isReadable(file)) {
            throw new UncheckedIOException(new IOException("token file not readable: " + file));
        }
        return file;
    }

    /** The host in URLs: loopback when listening on every interface, otherwise the bound address. */
    private String clientHost() {
        try {
            InetAddress bound = InetAddress.getByName(options.bindAddress());
            if (bound.isAnyLocalAddress()) {
                return "127.0.0.1";
            }
            String host = bound.getHostAddress();
            return host.contains(":") ? "[" + host + "]" : host;
        } catch (IOException e) {
            return options.bindAddress();
        }
    }

    /** The in-memory key store's password: random, since the store never leaves the process. */
    private static char[] newPassword() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes).toCharArray();
    }
}

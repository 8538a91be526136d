package dev.navis.apiserver.metrics;

import java.io.IOException;
import java.io.OutputStream;

import dev.navis.apiserver.RequestInfo;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The API server's request metrics under upstream's names and labels, so that existing dashboards and alerts
 * read them: {@code apiserver_request_total}, {@code apiserver_request_duration_seconds},
 * {@code apiserver_current_inflight_requests} and {@code apiserver_longrunning_requests}. Other parts of the
 * server register their own metrics in {@link #registry()}.
 */
public final class ApiServerMetrics {
    /** Upstream's buckets for apiserver_request_duration_seconds. */
    static final double[] DURATION_BUCKETS = {0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5,
        6, 8, 10, 15, 20, 30, 45, 60};
    public static final String COMPONENT = "apiserver";
    public static final String READ_ONLY = "readOnly";
    public static final String MUTATING = "mutating";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Histogram durations;
    private final Gauge inflight;
    private final Gauge longRunning;

    public ApiServerMetrics() {
        requests = Counter.builder().name("apiserver_request_total")
                .help("Counter of apiserver requests broken out for each verb, dry run value, group, version, "
                        + "resource, scope, component, and HTTP response code.")
                .labelNames("verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component", "code")
                .register(registry);
        durations = Histogram.builder().name("apiserver_request_duration_seconds")
                .help("Response latency distribution in seconds for each verb, dry run value, group, version, "
                        + "resource, subresource, scope and component.")
                .labelNames("verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component")
                .classicOnly().classicUpperBounds(DURATION_BUCKETS)
                .register(registry);
        inflight = Gauge.builder().name("apiserver_current_inflight_requests")
                .help("Number of currently used inflight request limit of this apiserver per request kind.")
                .labelNames("request_kind")
                .register(registry);
        longRunning = Gauge.builder().name("apiserver_longrunning_requests")
                .help("Gauge of all active long-running apiserver requests broken out by verb, group, version, "
                        + "resource, scope and component. Not all requests are tracked this way.")
                .labelNames("verb", "group", "version", "resource", "subresource", "scope", "component")
                .register(registry);
        inflight.labelValues(READ_ONLY).set(0);
        inflight.labelValues(MUTATING).set(0);
    }

    /**
     * Registers upstream's {@code apiserver_storage_objects}: objects stored per resource, read from
     * {@code counts} at each scrape.
     */
    public void storedObjects(java.util.function.Supplier<java.util.Map<String, Long>> counts) {
        io.prometheus.metrics.core.metrics.GaugeWithCallback.builder().name("apiserver_storage_objects")
                .help("Number of stored objects at the time of last check split by kind.")
                .labelNames("resource")
                .callback(cb -> counts.get().forEach((resource, n) -> cb.call(n, resource)))
                .register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** One request of the chain, as it starts: counts it in flight and returns what to call when it ends. */
    public Tracker start(RequestInfo info, String method, String path, String contentType, String dryRun) {
        return new Tracker(info, reportedVerb(info, method, contentType), path, dryRun == null ? "" : dryRun);
    }

    /** Writes every metric in Prometheus text format 0.0.4. */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
    }

    public String contentType() {
        return writer.getContentType();
    }

    /** The upper-case verb upstream's metrics report: GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE, ... */
    static String reportedVerb(RequestInfo info, String method, String contentType) {
        if (!info.isResourceRequest()) {
            return method;
        }
        if (info.subresource().equals("exec") || info.subresource().equals("attach")
                || info.subresource().equals("portforward") || info.subresource().equals("proxy")
                || info.verb().equals("proxy")) {
            return "CONNECT";
        }
        return switch (info.verb()) {
            case "create" -> "POST";
            case "update" -> "PUT";
            case "patch" -> contentType != null && contentType.startsWith("application/apply-patch") ? "APPLY" : "PATCH";
            case "" -> method;
            default -> info.verb().toUpperCase(java.util.Locale.ROOT);
        };
    }

    /** A request in flight; {@link #finish} records it once. */
    public final class Tracker {
        private final RequestInfo info;
        private final String verb;
        private final String path;
        private final String dryRun;
        private final long startNanos = System.nanoTime();
        private final io.prometheus.metrics.core.datapoints.GaugeDataPoint gauge;
        private boolean finished;

        private Tracker(RequestInfo info, String verb, String path, String dryRun) {
            this.info = info;
            this.verb = verb;
            this.path = path;
            this.dryRun = dryRun;
            if (info.isLongRunning()) {
                gauge = longRunning.labelValues(verb, info.apiGroup(), info.apiVersion(), info.resource(),
                        info.subresource(), info.scope(), component());
            } else {
                boolean readOnly = switch (info.verb()) {
                    case "get", "list", "watch" -> true;
                    default -> false;
                };
                gauge = inflight.labelValues(readOnly ? READ_ONLY : MUTATING);
            }
            gauge.inc();
        }

        /** Records the request's outcome; later calls do nothing. */
        public synchronized void finish(int code) {
            if (finished) {
                return;
            }
            finished = true;
            gauge.dec();
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            // non-resource requests name their path in the subresource label, as upstream does; unknown paths
            // do not, so that a scan of random URLs cannot grow the label set without bound
            String subresource = info.isResourceRequest() ? info.subresource() : code == 404 ? "" : path;
            requests.labelValues(verb, dryRun, info.apiGroup(), info.apiVersion(), info.resource(), subresource,
                    info.scope(), component(), Integer.toString(code)).inc();
            durations.labelValues(verb, dryRun, info.apiGroup(), info.apiVersion(), info.resource(), subresource,
                    info.scope(), component()).observe(seconds);
        }

        private String component() {
            return info.isResourceRequest() ? COMPONENT : "";
        }
    }
}

package dev.navis.apiserver.health;

/**
 * One named check of /healthz, /livez or /readyz, e.g. "ping" or "etcd". {@link #check()} returns normally
 * when healthy and throws with the reason otherwise (the reason is logged, never shown to anonymous clients).
 */
public interface HealthCheck {
    String name();

    void check() throws Exception;

    /** A check from a name and a body. */
    static HealthCheck of(String name, Probe probe) {
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void check() throws Exception {
                probe.run();
            }
        };
    }

    /** "ping": healthy whenever the server answers at all. */
    static HealthCheck ping() {
        return of("ping", () -> { });
    }

    @FunctionalInterface
    interface Probe {
        void run() throws Exception;
    }
}

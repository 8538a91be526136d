package dev.navis.controllers.serviceaccount;

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
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import java.util.List;

/**
 * Upstream's serviceaccounts-controller (pkg/controller/serviceaccount): every active namespace has the
 * ServiceAccounts named in {@link #DEFAULT_ACCOUNTS} ("default"); one deleted is created again. The queue
 * holds namespace names; a namespace that is not Active (terminating) is left alone.
 */
public final class ServiceAccountsController implements Controller {

    /** Upstream runs this controller with one worker. */
    public static final int DEFAULT_WORKERS = 1;

    /** Upstream's DefaultServiceAccountsControllerOptions: a single "default" account. */
    static final List<String> DEFAULT_ACCOUNTS = List.of("default");

    private final KubeClient client;
    private final Lister<Namespace> namespaces;
    private final Lister<ServiceAccount> serviceAccounts;
    final RateLimitingQueue<String> queue;
    private final Workers<String> workers;

    public ServiceAccountsController(ControllerContext context) {
        this(context, Clock.SYSTEM);
    }

    ServiceAccountsController(ControllerContext context, Clock clock) {
        this.client = context.client();
        this.queue = new RateLimitingQueue<>("serviceaccount", RateLimiters.defaultControllerRateLimiter(clock), clock);
        this.workers = new Workers<>("serviceaccount", queue, this::syncNamespace, 0);
        SharedIndexInformer<ServiceAccount> accountInformer = context.informers().informer(ServiceAccount.class);
        this.serviceAccounts = accountInformer.lister();
        accountInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onDelete(ServiceAccount account, boolean finalStateUnknown) {
                queue.add(account.getMetadata().getNamespace());
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

    @Override
    public void run(int count) {
        workers.start(count);
    }

    @Override
    public void stop() throws InterruptedException {
        workers.stop();
    }

    /** Creates the missing default accounts of namespace {@code name}, if it is active. */
    void syncNamespace(String name) {
        Namespace namespace = namespaces.get(name);
        if (namespace == null || !isActive(namespace)) {
            return;
        }
        for (String account : DEFAULT_ACCOUNTS) {
            if (serviceAccounts.namespace(name).get(account) != null) {
                continue;
            }
            ServiceAccount wanted = new ServiceAccountBuilder().withNewMetadata().withName(account).withNamespace(name)
                    .endMetadata().build();
            try {
                client.serviceAccounts().namespace(name).create(wanted);
            } catch (ApiException e) {
                // AlreadyExists: our cache is behind. Forbidden while terminating: the namespace is going away.
                if (!e.isAlreadyExists() && !isTerminatingRefusal(e)) {
                    throw e;
                }
            }
        }
    }

    private static boolean isActive(Namespace namespace) {
        if (namespace.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        String phase = namespace.getStatus() == null ? null : namespace.getStatus().getPhase();
        // A namespace just created may not carry a phase yet; only Terminating excludes it.
        return !"Terminating".equals(phase);
    }

    private static boolean isTerminatingRefusal(ApiException e) {
        return e.code() == 403 && e.getMessage() != null && e.getMessage().contains("terminat");
    }
}

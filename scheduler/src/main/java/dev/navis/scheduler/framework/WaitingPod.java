package dev.navis.scheduler.framework;

import java.util.List;

/** A reserved pod whose binding waits on Permit plugins; any of them may allow or reject it. */
public interface WaitingPod {

    PodInfo pod();

    /** The plugins still waited on. */
    List<String> pendingPlugins();

    /** Lets the binding go ahead once every waiting plugin has allowed. */
    void allow(String pluginName);

    /** Rejects the binding: the pod is unreserved and requeued. */
    void reject(String pluginName, String message);
}

package dev.navis.controllers;

/**
 * One control loop run by the {@link ControllerManager}. A controller registers its informers and event
 * handlers when it is constructed (from a {@link ControllerContext}); the manager then starts the shared
 * informers, waits for their caches, and calls {@link #run}.
 */
public interface Controller {

    /** Starts the worker threads; called once the shared informers' caches have synced. Returns at once. */
    void run(int workers);

    /** Shuts the work queues down and waits for the workers to finish their current keys. */
    void stop() throws InterruptedException;
}

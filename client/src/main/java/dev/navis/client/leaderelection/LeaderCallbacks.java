package dev.navis.client.leaderelection;

/** What a candidate does as leadership changes. */
public interface LeaderCallbacks {

    /** This process became leader; called on its own thread, so it may run the leader's work. */
    void onStartedLeading();

    /** This process stopped leading (lost the lease, or stopped): stop the leader's work. */
    void onStoppedLeading();

    /** Another (or this) identity was observed holding the lease; called on the elector's thread. */
    default void onNewLeader(String identity) {
    }
}

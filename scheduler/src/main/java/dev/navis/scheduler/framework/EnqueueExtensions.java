package dev.navis.scheduler.framework;

import java.util.List;

/**
 * Which cluster events may make a pod this plugin rejected schedulable. The scheduling queue moves a parked
 * pod back to the active (or backoff) queue only for events registered by a plugin that rejected it, and
 * only when the event's hint says {@link QueueingHint#QUEUE}. A plugin that rejects pods but does not
 * implement this is assumed to care about every event.
 */
public interface EnqueueExtensions {
    List<ClusterEventWithHint> eventsToRegister();
}

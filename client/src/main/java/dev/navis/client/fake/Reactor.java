package dev.navis.client.fake;

/**
 * Intercepts an action before the fake's store handles it: return a result to short-circuit, null to let
 * the store handle it, or throw an {@code ApiException} to make the call fail (e.g. inject a 409 or 500).
 */
@FunctionalInterface
public interface Reactor {
    Object react(Action action);
}

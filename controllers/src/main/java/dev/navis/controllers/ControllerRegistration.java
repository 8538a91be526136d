package dev.navis.controllers;

import java.util.function.Function;

/**
 * A controller the {@link ControllerManager} runs: its name (as kube-controller-manager's --controllers
 * names it), how many workers it gets, and how it is built.
 */
public record ControllerRegistration(String name, int workers, Function<ControllerContext, Controller> factory) {
}

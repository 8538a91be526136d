package dev.navis.client;

import java.util.List;

/**
 * One page of a list: the items, the list's resourceVersion (watch from it to see every later change) and
 * the continue token of the next page ("" or null on the last page).
 */
public record ObjectList<T>(List<T> items, String resourceVersion, String continueToken) {
}

package dev.navis.apiserver.rest;

import dev.navis.api.ResourceDefinition;
import dev.navis.api.selector.FieldSelector;
import dev.navis.api.selector.LabelSelector;
import dev.navis.api.selector.SelectorException;
import tools.jackson.databind.node.ObjectNode;

/** A request's label selector plus field selector, bound to one resource's selectable fields. */
public final class ObjectFilter {
    private final LabelSelector labels;
    private final FieldSelector fields;
    private final ResourceDefinition def;

    private ObjectFilter(LabelSelector labels, FieldSelector fields, ResourceDefinition def) {
        this.labels = labels;
        this.fields = fields;
        this.def = def;
    }

    /** Parses the selectors of a request; malformed or unsupported ones are a 400. */
    public static ObjectFilter of(ResourceDefinition def, String labelSelector, String fieldSelector) {
        try {
            LabelSelector ls = LabelSelector.parse(labelSelector == null ? "" : labelSelector);
            FieldSelector fs = FieldSelector.parse(fieldSelector == null ? "" : fieldSelector);
            fs.validate(def.strategy());
            return new ObjectFilter(ls, fs, def);
        } catch (SelectorException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    public static ObjectFilter everything(ResourceDefinition def) {
        return new ObjectFilter(LabelSelector.everything(), FieldSelector.everything(), def);
    }

    public boolean isEverything() {
        return labels.isEmpty() && fields.isEmpty();
    }

    public boolean matches(ObjectNode object) {
        return object != null && labels.matchesObject(object) && fields.matches(object, def.strategy());
    }
}

package dev.navis.apimachinery.strategy;

import dev.navis.api.FieldError;
import dev.navis.api.ResourceStrategy;
import dev.navis.api.validation.NameValidation.NameRule;
import dev.navis.apimachinery.validation.ObjectMetaValidation;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Base of every built-in kind's strategy: metadata validation as upstream (scope and the kind's name rule),
 * then the kind's own spec checks. Subclasses override {@link #validateSpec} and {@link #validateSpecUpdate}.
 */
public abstract class KindStrategy implements ResourceStrategy {

    private final boolean namespaced;
    private final NameRule nameRule;

    protected KindStrategy(boolean namespaced, NameRule nameRule) {
        this.namespaced = namespaced;
        this.nameRule = nameRule;
    }

    @Override
    public List<FieldError> validate(ObjectNode object) {
        List<FieldError> errs = new ArrayList<>(ObjectMetaValidation.validate(object, namespaced, nameRule));
        errs.addAll(validateSpec(object));
        return errs;
    }

    @Override
    public List<FieldError> validateUpdate(ObjectNode object, ObjectNode old) {
        List<FieldError> errs = new ArrayList<>(ObjectMetaValidation.validateUpdate(object, old));
        errs.addAll(validateSpec(object));
        errs.addAll(validateSpecUpdate(object, old));
        return errs;
    }

    /**
     * A status write as upstream's status strategies validate it: metadata changes and the kind's status checks,
     * not the spec (the status subresource keeps the stored one). Only kinds that override
     * {@link #statusOnly()} take this path; the rest keep the full update validation.
     */
    @Override
    public List<FieldError> validateStatusUpdate(ObjectNode object, ObjectNode old) {
        if (!statusOnly()) {
            return validateUpdate(object, old);
        }
        List<FieldError> errs = new ArrayList<>(ObjectMetaValidation.validateUpdate(object, old));
        errs.addAll(validateStatus(object, old));
        return errs;
    }

    /** Whether {@link #validateStatusUpdate} checks metadata and status only, as upstream's status strategy does. */
    protected boolean statusOnly() {
        return false;
    }

    /** The kind's checks of a status write (upstream's Validate*StatusUpdate beyond the metadata). */
    protected List<FieldError> validateStatus(ObjectNode object, ObjectNode old) {
        return List.of();
    }

    /** The kind's checks of everything but metadata (shared by create and update). */
    protected List<FieldError> validateSpec(ObjectNode object) {
        return List.of();
    }

    /** The kind's checks that compare against the stored object, e.g. immutable fields. */
    protected List<FieldError> validateSpecUpdate(ObjectNode object, ObjectNode old) {
        return List.of();
    }
}

package dev.navis.apiserver.rest.convert;

import tools.jackson.databind.node.ObjectNode;

/**
 * Converts objects of one served API version to and from the version the resource is stored in (upstream's
 * scheme conversion). Both methods get a copy they may change and return the converted object.
 */
public interface VersionConverter {
    VersionConverter IDENTITY = new VersionConverter() {
        @Override
        public ObjectNode toStorage(ObjectNode served) {
            return served;
        }

        @Override
        public ObjectNode fromStorage(ObjectNode stored) {
            return stored;
        }
    };

    ObjectNode toStorage(ObjectNode served);

    ObjectNode fromStorage(ObjectNode stored);
}

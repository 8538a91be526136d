package dev.navis.apimachinery.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Paths render as upstream's field.Path does. */
class PathTest {
    @Test
    void rendersFieldsIndexesAndKeys() {
        assertEquals("spec.containers[0].image", Path.of("spec").child("containers").index(0).child("image").toString());
        assertEquals("data[a.b]", Path.of("data").key("a.b").toString());
        assertEquals("metadata.labels", Path.of("metadata", "labels").toString());
        assertEquals("a.b.c", Path.of("a").child("b", "c").toString());
        assertEquals("", Path.root().toString());
        assertEquals("spec", Path.root().child("spec").toString());
        assertEquals("[k]", Path.root().key("k").toString());
        assertEquals("[3].x", Path.root().index(3).child("x").toString());
        assertEquals("x", Path.of("").child("x").toString());
    }

    @Test
    void aRenderedParentRendersItsChildrenAlike() {
        Path containers = Path.of("spec").child("containers");
        assertEquals("spec.containers", containers.toString());
        assertEquals("spec.containers[1].ports[0].containerPort",
                containers.index(1).child("ports").index(0).child("containerPort").toString());
        Path root = Path.root();
        assertEquals("", root.toString());
        assertEquals("kind", root.child("kind").toString());
    }
}

package dev.navis.controllers.job;

import dev.navis.client.Json;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pods of a Job: how they are made from its template (tracking finalizer, controllerRef, completion
 * index for Indexed Jobs) and the finalizer they carry until the Job has counted them.
 */
final class JobPods {

    static final String TRACKING_FINALIZER = JobController.TRACKING_FINALIZER;
    static final String COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX";
    /** Upstream's names.MaxGeneratedNameLength: 63 minus the 5 random characters. */
    private static final int MAX_GENERATED_NAME_LENGTH = 58;

    private JobPods() {
    }

    /** A new pod for {@code job}: template labels/annotations/finalizers plus the tracking finalizer, controllerRef. */
    static Pod podFor(Job job, PodTemplateSpec template, int index) {
        ObjectMeta tm = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        ObjectMeta meta = new ObjectMeta();
        meta.setNamespace(job.getMetadata().getNamespace());
        Map<String, String> labels = tm.getLabels() == null ? new HashMap<>() : new HashMap<>(tm.getLabels());
        Map<String, String> annotations = tm.getAnnotations() == null ? new HashMap<>() : new HashMap<>(tm.getAnnotations());
        List<String> finalizers = tm.getFinalizers() == null ? new ArrayList<>() : new ArrayList<>(tm.getFinalizers());
        if (!finalizers.contains(TRACKING_FINALIZER)) {
            finalizers.add(TRACKING_FINALIZER);
        }
        PodSpec spec = template.getSpec() == null ? new PodSpec() : Json.deepCopy(template.getSpec());
        String name = job.getMetadata().getName();
        if (index != CompletionIndexes.UNKNOWN) {
            annotations.put(CompletionIndexes.ANNOTATION, Integer.toString(index));
            labels.put(CompletionIndexes.ANNOTATION, Integer.toString(index)); // upstream's PodIndexLabel
            spec.setHostname(name + "-" + index);
            meta.setGenerateName(generateNameWithIndex(name, index));
        } else {
            meta.setGenerateName(name + "-");
        }
        meta.setLabels(labels.isEmpty() ? null : labels);
        meta.setAnnotations(annotations.isEmpty() ? null : annotations);
        meta.setFinalizers(finalizers);
        meta.setOwnerReferences(new ArrayList<>(List.of(controllerRefOf(job))));
        Pod pod = new Pod();
        pod.setApiVersion("v1");
        pod.setKind("Pod");
        pod.setMetadata(meta);
        pod.setSpec(spec);
        return pod;
    }

    static String generateNameWithIndex(String jobName, int index) {
        String suffix = "-" + index + "-";
        String prefix = jobName + suffix;
        if (prefix.length() > MAX_GENERATED_NAME_LENGTH) {
            prefix = prefix.substring(0, MAX_GENERATED_NAME_LENGTH - suffix.length()) + suffix;
        }
        return prefix;
    }

    /** JOB_COMPLETION_INDEX from the pod's index label, in every container that does not set it itself. */
    static void addCompletionIndexEnv(PodSpec spec) {
        if (spec == null) {
            return;
        }
        List<Container> all = new ArrayList<>();
        if (spec.getInitContainers() != null) {
            all.addAll(spec.getInitContainers());
        }
        if (spec.getContainers() != null) {
            all.addAll(spec.getContainers());
        }
        for (Container c : all) {
            List<EnvVar> env = c.getEnv() == null ? new ArrayList<>() : new ArrayList<>(c.getEnv());
            if (env.stream().anyMatch(e -> COMPLETION_INDEX_ENV.equals(e.getName()))) {
                continue;
            }
            env.add(new EnvVarBuilder().withName(COMPLETION_INDEX_ENV).withNewValueFrom().withNewFieldRef()
                    .withFieldPath("metadata.labels['" + CompletionIndexes.ANNOTATION + "']").endFieldRef()
                    .endValueFrom().build());
            c.setEnv(env);
        }
    }

    static OwnerReference controllerRefOf(Job job) {
        return new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                .withName(job.getMetadata().getName()).withUid(job.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    static boolean hasTrackingFinalizer(Pod pod) {
        List<String> f = pod.getMetadata().getFinalizers();
        return f != null && f.contains(TRACKING_FINALIZER);
    }

    static String removeFinalizerPatch() {
        return "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"" + TRACKING_FINALIZER + "\"]}}";
    }
}

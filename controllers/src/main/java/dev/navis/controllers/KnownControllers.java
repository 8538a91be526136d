package dev.navis.controllers;

import dev.navis.controllers.cronjob.CronJobController;
import dev.navis.controllers.daemonset.DaemonSetController;
import dev.navis.controllers.deployment.DeploymentController;
import dev.navis.controllers.endpoint.EndpointsController;
import dev.navis.controllers.endpointslice.EndpointSliceController;
import dev.navis.controllers.endpointslicemirroring.EndpointSliceMirroringController;
import dev.navis.controllers.nodeipam.NodeIpamController;
import dev.navis.controllers.nodelifecycle.NodeLifecycleController;
import dev.navis.controllers.podautoscaler.HorizontalController;
import dev.navis.controllers.podgc.PodGcController;
import dev.navis.controllers.tainteviction.TaintEvictionController;
import dev.navis.controllers.garbagecollector.GarbageCollector;
import dev.navis.controllers.job.JobController;
import dev.navis.controllers.replicaset.ReplicaSetController;
import dev.navis.controllers.ttlafterfinished.TtlAfterFinishedController;
import dev.navis.controllers.statefulset.StatefulSetController;
import dev.navis.controllers.serviceaccount.ServiceAccountsController;
import dev.navis.controllers.resourcequota.ResourceQuotaController;
import dev.navis.controllers.disruption.DisruptionController;
import java.util.List;

/** The controllers {@code navis server} and {@code navis controller-manager} run. Add a controller here. */
public final class KnownControllers {

    private KnownControllers() {
    }

    public static List<ControllerRegistration> all() {
        return List.of(
                new ControllerRegistration("garbage-collector", GarbageCollector.DEFAULT_WORKERS, GarbageCollector::new),
                new ControllerRegistration("replicaset", ReplicaSetController.DEFAULT_WORKERS,
                        ReplicaSetController::new),
                new ControllerRegistration("deployment", DeploymentController.DEFAULT_WORKERS, DeploymentController::new),
                new ControllerRegistration("job", JobController.DEFAULT_WORKERS, JobController::new),
                new ControllerRegistration("cronjob", CronJobController.DEFAULT_WORKERS, CronJobController::new),
                new ControllerRegistration("ttl-after-finished", TtlAfterFinishedController.DEFAULT_WORKERS,
                        TtlAfterFinishedController::new),
                new ControllerRegistration("statefulset", StatefulSetController.DEFAULT_WORKERS,
                        StatefulSetController::new),
                new ControllerRegistration("daemonset", DaemonSetController.DEFAULT_WORKERS, DaemonSetController::new),

                new ControllerRegistration("endpoint", EndpointsController.DEFAULT_WORKERS, EndpointsController::new),
                new ControllerRegistration("endpointslice", EndpointSliceController.DEFAULT_WORKERS,
                        EndpointSliceController::new),
                new ControllerRegistration("endpointslicemirroring", EndpointSliceMirroringController.DEFAULT_WORKERS,
                        EndpointSliceMirroringController::new),
                new ControllerRegistration("nodelifecycle", 1, NodeLifecycleController::new),
                new ControllerRegistration("taint-eviction-controller", TaintEvictionController.DEFAULT_WORKERS,
                        TaintEvictionController::new),
                new ControllerRegistration("nodeipam", NodeIpamController.DEFAULT_WORKERS, NodeIpamController::new),
                new ControllerRegistration("podgc", 1, PodGcController::new),
                new ControllerRegistration("serviceaccount", ServiceAccountsController.DEFAULT_WORKERS,
                        ServiceAccountsController::new),
                new ControllerRegistration("root-ca-cert-publisher",
                        dev.navis.controllers.rootcacertpublisher.RootCaCertPublisher.DEFAULT_WORKERS,
                        dev.navis.controllers.rootcacertpublisher.RootCaCertPublisher::new),
                new ControllerRegistration("resourcequota", ResourceQuotaController.DEFAULT_WORKERS,
                        ResourceQuotaController::new),
                new ControllerRegistration("disruption", DisruptionController.DEFAULT_WORKERS,
                        DisruptionController::new),

                new ControllerRegistration("persistentvolume-binder",
                        dev.navis.controllers.volume.persistentvolume.PersistentVolumeBinderController.DEFAULT_WORKERS,
                        dev.navis.controllers.volume.persistentvolume.PersistentVolumeBinderController::new),
                new ControllerRegistration("local-path-provisioner",
                        dev.navis.controllers.volume.localpath.LocalPathProvisioner.DEFAULT_WORKERS,
                        dev.navis.controllers.volume.localpath.LocalPathProvisioner::new),

                new ControllerRegistration("horizontalpodautoscaling", HorizontalController.DEFAULT_WORKERS,
                        HorizontalController::new),
                new ControllerRegistration("csrapproving",
                        dev.navis.controllers.certificates.CsrApprovingController.DEFAULT_WORKERS,
                        dev.navis.controllers.certificates.CsrApprovingController::new),
                new ControllerRegistration("csrsigning",
                        dev.navis.controllers.certificates.CsrSigningController.DEFAULT_WORKERS,
                        dev.navis.controllers.certificates.CsrSigningController::new));
    }
}

package dev.navis.controllers.job;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Job conditions as upstream writes them (types, ensureJobConditionStatus, IsJobFinished). */
public final class JobConditions {

    public static final String COMPLETE = "Complete";
    public static final String FAILED = "Failed";
    public static final String SUSPENDED = "Suspended";
    public static final String FAILURE_TARGET = "FailureTarget";
    public static final String SUCCESS_CRITERIA_MET = "SuccessCriteriaMet";

    private JobConditions() {
    }

    /** Complete or Failed with status True. */
    public static boolean isFinished(Job job) {
        return finishedCondition(job) != null;
    }

    /** The True Complete or Failed condition, null while the Job runs. */
    public static JobCondition finishedCondition(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return null;
        }
        for (JobCondition c : job.getStatus().getConditions()) {
            if ((COMPLETE.equals(c.getType()) || FAILED.equals(c.getType())) && "True".equals(c.getStatus())) {
                return c;
            }
        }
        return null;
    }

    static JobCondition find(JobStatus status, String type, String wantedStatus) {
        if (status.getConditions() == null) {
            return null;
        }
        for (JobCondition c : status.getConditions()) {
            if (type.equals(c.getType()) && (wantedStatus == null || wantedStatus.equals(c.getStatus()))) {
                return c;
            }
        }
        return null;
    }

    static List<JobCondition> list(JobStatus status) {
        if (status.getConditions() == null) {
            status.setConditions(new ArrayList<>());
        }
        return status.getConditions();
    }

    static JobCondition create(String type, String reason, String message, Instant now) {
        return create(type, "True", reason, message, now);
    }

    static JobCondition create(String type, String status, String reason, String message, Instant now) {
        String t = now.truncatedTo(ChronoUnit.SECONDS).toString();
        return new JobConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastProbeTime(t).withLastTransitionTime(t).build();
    }

    /**
     * Upstream's ensureJobConditionStatus: updates the condition of {@code type} when status, reason or message
     * differ; adds it when absent unless {@code status} is False. True when the list changed.
     */
    static boolean ensure(JobStatus jobStatus, String type, String status, String reason, String message, Instant now) {
        List<JobCondition> conditions = list(jobStatus);
        for (int i = 0; i < conditions.size(); i++) {
            JobCondition c = conditions.get(i);
            if (type.equals(c.getType())) {
                if (!status.equals(c.getStatus()) || !java.util.Objects.equals(reason, c.getReason())
                        || !java.util.Objects.equals(message, c.getMessage())) {
                    conditions.set(i, create(type, status, reason, message, now));
                    return true;
                }
                return false;
            }
        }
        if (!"False".equals(status)) {
            conditions.add(create(type, status, reason, message, now));
            return true;
        }
        return false;
    }
}

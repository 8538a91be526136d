package dev.navis.scheduler.plugins.noderesources;

import dev.navis.scheduler.framework.ScorePlugin;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Upstream's scoring strategies of NodeResourcesFit and the BalancedAllocation scorer. */
final class Strategies {
    /** RequestedToCapacityRatio shapes score in [0, 10]; scaled by MaxNodeScore / this. */
    static final long MAX_CUSTOM_PRIORITY_SCORE = 10;
    static final long MAX_UTILIZATION = 100;

    private Strategies() {
    }

    static long leastAllocated(long[] requested, long[] allocatable, List<ResourceSpec> resources) {
        long nodeScore = 0;
        long weightSum = 0;
        for (int i = 0; i < requested.length; i++) {
            if (allocatable[i] == 0) {
                continue;
            }
            long weight = resources.get(i).weight();
            long capacity = allocatable[i];
            long score = requested[i] > capacity ? 0 : (capacity - requested[i]) * ScorePlugin.MAX_NODE_SCORE / capacity;
            nodeScore += score * weight;
            weightSum += weight;
        }
        return weightSum == 0 ? 0 : nodeScore / weightSum;
    }

    static long mostAllocated(long[] requested, long[] allocatable, List<ResourceSpec> resources) {
        long nodeScore = 0;
        long weightSum = 0;
        for (int i = 0; i < requested.length; i++) {
            if (allocatable[i] == 0) {
                continue;
            }
            long weight = resources.get(i).weight();
            long capacity = allocatable[i];
            long req = Math.min(requested[i], capacity);
            nodeScore += req * ScorePlugin.MAX_NODE_SCORE / capacity * weight;
            weightSum += weight;
        }
        return weightSum == 0 ? 0 : nodeScore / weightSum;
    }

    /** A point of a RequestedToCapacityRatio shape: utilization in [0, 100] and score in [0, 10]. */
    record ShapePoint(long utilization, long score) {
    }

    static List<ShapePoint> shape(JsonNode node) {
        List<ShapePoint> points = new ArrayList<>();
        if (node.isArray()) {
            long previous = -1;
            int i = 0;
            for (JsonNode n : node) {
                long u = n.path("utilization").asLong();
                long s = n.path("score").asLong();
                if (u < 0 || u > 100) {
                    throw new IllegalArgumentException("scoringStrategy.requestedToCapacityRatio.shape[" + i
                            + "].utilization: Invalid value: " + u + ": not in valid range [0, 100]");
                }
                if (s < 0 || s > MAX_CUSTOM_PRIORITY_SCORE) {
                    throw new IllegalArgumentException("scoringStrategy.requestedToCapacityRatio.shape[" + i
                            + "].score: Invalid value: " + s + ": not in valid range [0, 10]");
                }
                if (u <= previous) {
                    throw new IllegalArgumentException("scoringStrategy.requestedToCapacityRatio.shape[" + i
                            + "].utilization: Invalid value: " + u + ": utilization values must be sorted in increasing order");
                }
                previous = u;
                points.add(new ShapePoint(u, s));
                i++;
            }
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("scoringStrategy.requestedToCapacityRatio.shape: Required value");
        }
        return points;
    }

    static ResourceAllocationScorer.Strategy requestedToCapacityRatio(List<ShapePoint> rawShape) {
        List<ShapePoint> shape = rawShape.stream()
                .map(p -> new ShapePoint(p.utilization(), p.score() * (ScorePlugin.MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE)))
                .toList();
        return (requested, allocatable, resources) -> {
            long nodeScore = 0;
            long weightSum = 0;
            for (int i = 0; i < requested.length; i++) {
                if (allocatable[i] == 0) {
                    continue;
                }
                long utilization = requested[i] > allocatable[i] ? MAX_UTILIZATION
                        : requested[i] * MAX_UTILIZATION / allocatable[i];
                long score = brokenLinear(shape, utilization);
                if (score > 0) {
                    long weight = resources.get(i).weight();
                    nodeScore += score * weight;
                    weightSum += weight;
                }
            }
            return weightSum == 0 ? 0 : Math.round((double) nodeScore / weightSum);
        };
    }

    static long brokenLinear(List<ShapePoint> shape, long p) {
        for (int i = 0; i < shape.size(); i++) {
            if (p <= shape.get(i).utilization()) {
                if (i == 0) {
                    return shape.get(0).score();
                }
                ShapePoint a = shape.get(i - 1);
                ShapePoint b = shape.get(i);
                return a.score() + (b.score() - a.score()) * (p - a.utilization()) / (b.utilization() - a.utilization());
            }
        }
        return shape.get(shape.size() - 1).score();
    }

    /** BalancedAllocation: 1 − the standard deviation of the requested fractions, × MaxNodeScore. */
    static long balanced(long[] requested, long[] allocatable, List<ResourceSpec> resources) {
        double total = 0;
        int count = 0;
        double f0 = 0;
        double f1 = 0;
        double[] fractions = null;
        for (int i = 0; i < requested.length; i++) {
            if (allocatable[i] == 0) {
                continue;
            }
            double fraction = Math.min(1.0, (double) requested[i] / allocatable[i]);
            total += fraction;
            if (count == 0) {
                f0 = fraction;
            } else if (count == 1) {
                f1 = fraction;
            }
            if (requested.length > 2) {
                if (fractions == null) {
                    fractions = new double[requested.length];
                }
                fractions[count] = fraction;
            }
            count++;
        }
        double std = 0;
        if (count == 2) {
            std = Math.abs((f0 - f1) / 2);
        } else if (count > 2) {
            double mean = total / count;
            double sum = 0;
            for (int i = 0; i < count; i++) {
                sum += (fractions[i] - mean) * (fractions[i] - mean);
            }
            std = Math.sqrt(sum / count);
        }
        return (long) ((1 - std) * ScorePlugin.MAX_NODE_SCORE);
    }
}

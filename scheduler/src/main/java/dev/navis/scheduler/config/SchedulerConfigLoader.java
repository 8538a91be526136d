package dev.navis.scheduler.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads a KubeSchedulerConfiguration file (YAML or JSON) the way kube-scheduler's --config does: the user's
 * plugin sets are merged into the defaults per extension point (defaults minus disabled, a default that is
 * enabled again takes the user's weight, other enabled plugins are appended), unset fields take upstream's
 * defaults. Invalid files throw IllegalArgumentException naming the field.
 */
public final class SchedulerConfigLoader {

    static final List<String> EXTENSION_POINTS = List.of("preEnqueue", "queueSort", "preFilter", "filter",
            "postFilter", "preScore", "score", "reserve", "permit", "preBind", "bind", "postBind", "multiPoint");
    private static final YAMLMapper YAML = YAMLMapper.builder().build();

    private SchedulerConfigLoader() {
    }

    public static KubeSchedulerConfiguration load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the scheduler configuration " + file, e);
        }
    }

    public static KubeSchedulerConfiguration parse(String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the scheduler configuration is not valid YAML/JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the scheduler configuration must be an object");
        }
        String apiVersion = root.path("apiVersion").asString("");
        String kind = root.path("kind").asString("");
        if (!KubeSchedulerConfiguration.API_VERSION.equals(apiVersion)) {
            throw new IllegalArgumentException("apiVersion: Unsupported value: \"" + apiVersion + "\": supported values: \""
                    + KubeSchedulerConfiguration.API_VERSION + "\"");
        }
        if (!KubeSchedulerConfiguration.KIND.equals(kind)) {
            throw new IllegalArgumentException("kind: Unsupported value: \"" + kind + "\": supported values: \""
                    + KubeSchedulerConfiguration.KIND + "\"");
        }
        KubeSchedulerConfiguration defaults = KubeSchedulerConfiguration.defaults();
        Integer percentage = optionalPercentage(root.path("percentageOfNodesToScore"), "percentageOfNodesToScore");
        long initialBackoff = root.path("podInitialBackoffSeconds").asLong(defaults.podInitialBackoffSeconds());
        long maxBackoff = root.path("podMaxBackoffSeconds").asLong(defaults.podMaxBackoffSeconds());
        if (initialBackoff <= 0) {
            throw new IllegalArgumentException("podInitialBackoffSeconds: Invalid value: " + initialBackoff
                    + ": must be greater than 0");
        }
        if (maxBackoff < initialBackoff) {
            throw new IllegalArgumentException("podMaxBackoffSeconds: Invalid value: " + maxBackoff
                    + ": must be greater than or equal to PodInitialBackoffSeconds");
        }
        int parallelism = root.path("parallelism").asInt(defaults.parallelism());
        List<Profile> profiles = new ArrayList<>();
        JsonNode profilesNode = root.path("profiles");
        if (profilesNode.isArray() && !profilesNode.isEmpty()) {
            Set<String> names = new HashSet<>();
            int i = 0;
            for (JsonNode p : profilesNode) {
                Profile profile = profile(p, "profiles[" + i + "]");
                if (!names.add(profile.schedulerName())) {
                    throw new IllegalArgumentException("profiles[" + i + "].schedulerName: Duplicate value: \""
                            + profile.schedulerName() + "\"");
                }
                profiles.add(profile);
                i++;
            }
        } else {
            profiles.addAll(defaults.profiles());
        }
        return new KubeSchedulerConfiguration(profiles, percentage, initialBackoff, maxBackoff, parallelism,
                leaderElection(root.path("leaderElection")), clientConnection(root.path("clientConnection")));
    }

    private static Profile profile(JsonNode node, String path) {
        String name = node.path("schedulerName").asString(KubeSchedulerConfiguration.DEFAULT_SCHEDULER_NAME);
        if (name.isEmpty()) {
            name = KubeSchedulerConfiguration.DEFAULT_SCHEDULER_NAME;
        }
        Integer percentage = optionalPercentage(node.path("percentageOfNodesToScore"), path + ".percentageOfNodesToScore");
        Profile defaults = DefaultPlugins.defaultProfile(name);
        Map<String, PluginSet> sets = new LinkedHashMap<>();
        JsonNode plugins = node.path("plugins");
        for (String point : EXTENSION_POINTS) {
            PluginSet custom = pluginSet(plugins.path(point), path + ".plugins." + point);
            PluginSet merged = merge(defaults.pluginSet(point), custom);
            if (!merged.enabled().isEmpty() || !merged.disabled().isEmpty()) {
                sets.put(point, merged);
            }
        }
        Map<String, JsonNode> args = new LinkedHashMap<>();
        JsonNode config = node.path("pluginConfig");
        if (config.isArray()) {
            int i = 0;
            for (JsonNode c : config) {
                String plugin = c.path("name").asString("");
                if (plugin.isEmpty()) {
                    throw new IllegalArgumentException(path + ".pluginConfig[" + i + "].name: Required value");
                }
                if (args.containsKey(plugin)) {
                    throw new IllegalArgumentException(path + ".pluginConfig[" + i + "].name: Duplicate value: \""
                            + plugin + "\"");
                }
                JsonNode a = c.path("args");
                args.put(plugin, a.isObject() ? a : JsonNodeFactory.instance.objectNode());
                i++;
            }
        }
        return new Profile(name, percentage, sets, args);
    }

    private static PluginSet pluginSet(JsonNode node, String path) {
        if (node.isMissingNode() || node.isNull()) {
            return PluginSet.EMPTY;
        }
        return new PluginSet(refs(node.path("enabled"), path + ".enabled"), refs(node.path("disabled"), path + ".disabled"));
    }

    private static List<PluginRef> refs(JsonNode node, String path) {
        List<PluginRef> refs = new ArrayList<>();
        if (node.isArray()) {
            int i = 0;
            for (JsonNode n : node) {
                String name = n.path("name").asString("");
                if (name.isEmpty()) {
                    throw new IllegalArgumentException(path + "[" + i + "].name: Required value");
                }
                int weight = n.path("weight").asInt(0);
                if (weight < 0 || weight > 100) {
                    throw new IllegalArgumentException(path + "[" + i + "].weight: Invalid value: " + weight
                            + ": must be in the range [0, 100]");
                }
                refs.add(new PluginRef(name, weight));
                i++;
            }
        }
        return refs;
    }

    /** Upstream's mergePluginSet: defaults minus disabled (re-enabled defaults take the custom entry in place), then the other custom ones. */
    static PluginSet merge(PluginSet defaults, PluginSet custom) {
        List<PluginRef> enabled = new ArrayList<>();
        Set<String> replaced = new HashSet<>();
        for (PluginRef d : defaults.enabled()) {
            if (custom.disables(d.name())) {
                continue;
            }
            PluginRef override = custom.enabled().stream().filter(c -> c.name().equals(d.name())).findFirst().orElse(null);
            if (override != null) {
                enabled.add(override);
                replaced.add(d.name());
            } else {
                enabled.add(d);
            }
        }
        for (PluginRef c : custom.enabled()) {
            if (!replaced.contains(c.name())) {
                enabled.add(c);
            }
        }
        return new PluginSet(enabled, custom.disabled());
    }

    private static Integer optionalPercentage(JsonNode node, String path) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        int v = node.asInt();
        if (v < 0 || v > 100) {
            throw new IllegalArgumentException(path + ": Invalid value: " + v + ": not in valid range [0-100]");
        }
        return v;
    }

    private static KubeSchedulerConfiguration.ClientConnection clientConnection(JsonNode node) {
        var d = KubeSchedulerConfiguration.ClientConnection.DEFAULT;
        double qps = node.path("qps").asDouble(d.qps());
        int burst = node.path("burst").asInt(d.burst());
        if (qps < 0 || burst < 0) {
            throw new IllegalArgumentException("clientConnection: qps and burst must not be negative");
        }
        return new KubeSchedulerConfiguration.ClientConnection(qps, burst);
    }

    private static KubeSchedulerConfiguration.LeaderElection leaderElection(JsonNode node) {
        var d = KubeSchedulerConfiguration.LeaderElection.DEFAULT;
        if (node.isMissingNode() || node.isNull()) {
            return d;
        }
        return new KubeSchedulerConfiguration.LeaderElection(node.path("leaderElect").asBoolean(d.leaderElect()),
                node.path("resourceNamespace").asString(d.resourceNamespace()),
                node.path("resourceName").asString(d.resourceName()),
                duration(node.path("leaseDuration"), d.leaseDuration()),
                duration(node.path("renewDeadline"), d.renewDeadline()),
                duration(node.path("retryPeriod"), d.retryPeriod()));
    }

    /** Go durations as the configuration writes them: "15s", "1m30s", "500ms". */
    static Duration duration(JsonNode node, Duration fallback) {
        if (!node.isString()) {
            return fallback;
        }
        String s = node.asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s)").matcher(s);
        long nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                throw new IllegalArgumentException("invalid duration \"" + s + "\"");
            }
            double v = Double.parseDouble(m.group(1));
            nanos += (long) (v * switch (m.group(2)) {
                case "h" -> 3_600e9;
                case "m" -> 60e9;
                case "s" -> 1e9;
                default -> 1e6;
            });
            end = m.end();
        }
        if (end != s.length() || end == 0) {
            throw new IllegalArgumentException("invalid duration \"" + s + "\"");
        }
        return Duration.ofNanos(nanos);
    }
}

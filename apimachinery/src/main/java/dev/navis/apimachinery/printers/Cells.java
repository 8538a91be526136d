package dev.navis.apimachinery.printers;

import dev.navis.api.TableColumn;
import dev.navis.api.json.Nodes;
import dev.navis.api.selector.LabelSelector;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** Cell formatting shared by the kinds' tables (upstream's printers.go helpers). */
public final class Cells {

    /** Column of the template's container names (wide). */
    public static final TableColumn CONTAINERS = TableColumn.wide("Containers", "string",
            "Names of each container in the template.");
    public static final TableColumn IMAGES = TableColumn.wide("Images", "string",
            "Images referenced by each container in the template.");

    private Cells() {
    }

    public static String name(JsonNode o) {
        return Nodes.text(o, "metadata", "name");
    }

    /** layoutContainerCells: names joined by ",". */
    public static String containerNames(JsonNode podSpec) {
        return Nodes.list(podSpec, "containers").stream().map(c -> Nodes.text(c, "name")).collect(Collectors.joining(","));
    }

    public static String containerImages(JsonNode podSpec) {
        return Nodes.list(podSpec, "containers").stream().map(c -> Nodes.text(c, "image")).collect(Collectors.joining(","));
    }

    /** translateTimestampSince of an RFC 3339 time field; "<unknown>" when absent. */
    public static String since(JsonNode timestamp, Instant now) {
        Instant t = instant(timestamp);
        return t == null ? "<unknown>" : TableColumn.humanDuration(Duration.between(t, now));
    }

    public static Instant instant(JsonNode timestamp) {
        if (timestamp == null || !timestamp.isString() || timestamp.stringValue().isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(timestamp.stringValue());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    public static String formatLabels(JsonNode map) {
        return LabelSelector.formatLabels(Nodes.stringMap(map));
    }

    public static String formatSelector(JsonNode selector) {
        return LabelSelector.format(selector);
    }

    /** loadBalancerStatusStringer (wide): ingress IPs or hostnames, sorted and de-duplicated, joined by ",". */
    public static String loadBalancerIngress(JsonNode loadBalancerStatus) {
        TreeSet<String> result = new TreeSet<>();
        for (JsonNode ing : Nodes.list(loadBalancerStatus, "ingress")) {
            String ip = Nodes.text(ing, "ip");
            String host = Nodes.text(ing, "hostname");
            if (!ip.isEmpty()) {
                result.add(ip);
            } else if (!host.isEmpty()) {
                result.add(host);
            }
        }
        return String.join(",", result);
    }

    /** "N/A"-style text of an optional int-or-string. */
    public static String intOrString(JsonNode v, String absent) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return absent;
        }
        return v.isString() ? v.stringValue() : v.asString();
    }

    /** Strings joined by ",", as many printers do, or the fallback when empty. */
    public static String joinOr(List<String> values, String fallback) {
        return values.isEmpty() ? fallback : String.join(",", values);
    }
}

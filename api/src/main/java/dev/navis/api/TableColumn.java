package dev.navis.api;

import java.time.Duration;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * A column of a server-side Table (meta.k8s.io/v1 TableColumnDefinition).
 *
 * @param name        e.g. "READY"
 * @param type        "string", "integer", "number", "boolean" or "date"
 * @param format      "name" for the name column, otherwise usually ""
 * @param description what the column shows
 * @param priority    0 = always shown, 1 = only with -o wide
 */
public record TableColumn(String name, String type, String format, String description, int priority) {

    public static final TableColumn NAME = new TableColumn("Name", "string", "name",
            "Name must be unique within a namespace.", 0);
    public static final TableColumn AGE = new TableColumn("Age", "string", "",
            "CreationTimestamp is a timestamp representing the server time when this object was created.", 0);

    public static TableColumn of(String name, String type, String description) {
        return new TableColumn(name, type, "", description, 0);
    }

    public static TableColumn wide(String name, String type, String description) {
        return new TableColumn(name, type, "", description, 1);
    }

    /** The AGE cell as kubectl shows it (e.g. "5m", "3h", "2d"), or "<unknown>". */
    public static String age(JsonNode object, Instant now) {
        String ts = object.path("metadata").path("creationTimestamp").asString("");
        if (ts.isEmpty()) {
            return "<unknown>";
        }
        return humanDuration(Duration.between(Instant.parse(ts), now));
    }

    /** Upstream's duration.HumanDuration. */
    public static String humanDuration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }
}

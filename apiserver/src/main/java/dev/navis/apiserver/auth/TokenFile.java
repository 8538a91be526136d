package dev.navis.apiserver.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.navis.apiserver.certs.Pem;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's static token file ({@code --token-auth-file}): CSV lines {@code token,user,uid,"group1,group2"}
 * (the groups column is optional; further columns are ignored).
 */
public final class TokenFile {
    private static final Logger LOG = LoggerFactory.getLogger(TokenFile.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenFile() {
    }

    /** Reads the tokens of {@code file}, each mapped to its user. */
    public static Map<String, UserInfo> read(Path file) throws IOException {
        Map<String, UserInfo> tokens = new LinkedHashMap<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            List<String> record = parseCsvLine(line);
            if (record.size() < 3) {
                throw new IOException("token file '" + file + "' must have at least 3 columns (token, user name, "
                        + "user uid), found " + record.size() + " on line " + lineNumber);
            }
            String token = record.get(0);
            if (token.isEmpty()) {
                LOG.warn("empty token in token file {} line {}, skipping", file, lineNumber);
                continue;
            }
            List<String> groups = new ArrayList<>();
            if (record.size() >= 4) {
                for (String group : record.get(3).split(",")) {
                    if (!group.trim().isEmpty()) {
                        groups.add(group.trim());
                    }
                }
            }
            if (tokens.containsKey(token)) {
                LOG.warn("duplicate token in token file {} line {}", file, lineNumber);
            }
            tokens.put(token, new UserInfo(record.get(1), record.get(2), groups));
        }
        return tokens;
    }

    /** Creates {@code file} (0600) with one random token for {@code user} in {@code groups}; returns the token. */
    public static String create(Path file, String user, String uid, List<String> groups) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        Pem.writePrivate(file, token + "," + user + "," + uid + ",\"" + String.join(",", groups) + "\"\n");
        return token;
    }

    /** One CSV record: commas separate fields, double quotes enclose fields, "" is a quote inside one. */
    static List<String> parseCsvLine(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean atFieldStart = true;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                atFieldStart = true;
                continue;
            } else if (c == '"' && atFieldStart) {
                quoted = true;
            } else if (atFieldStart && c == ' ') {
                continue; // leading space of a field, as Go's csv TrimLeadingSpace
            } else if (c != '\r') {
                field.append(c);
            }
            atFieldStart = false;
        }
        fields.add(field.toString());
        return fields;
    }
}

package dev.navis.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
    @TempDir
    Path dir;

    @Test
    void readsUpstreamFormat() throws IOException {
        Path file = dir.resolve("tokens.csv");
        Files.writeString(file, """
                abc,alice,1001,"dev,ops"
                def,bob,1002
                
                ghi, carol ,1003,"  admins , ,x",extra
                """);

        Map<String, UserInfo> tokens = TokenFile.read(file);

        assertThat(tokens).containsOnlyKeys("abc", "def", "ghi");
        assertThat(tokens.get("abc")).isEqualTo(new UserInfo("alice", "1001", List.of("dev", "ops")));
        assertThat(tokens.get("def")).isEqualTo(new UserInfo("bob", "1002", List.of()));
        assertThat(tokens.get("ghi")).isEqualTo(new UserInfo("carol ", "1003", List.of("admins", "x")));
    }

    @Test
    void rejectsLinesWithFewerThanThreeColumns() throws IOException {
        Path file = dir.resolve("tokens.csv");
        Files.writeString(file, "abc,alice\n");

        assertThatThrownBy(() -> TokenFile.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("at least 3 columns");
    }

    @Test
    void createdFileHoldsOneUnguessableTokenReadableByTheOwnerOnly() throws IOException {
        Path file = dir.resolve("tokens.csv");

        String token = TokenFile.create(file, "admin", "admin", List.of("system:masters"));

        assertThat(token).hasSizeGreaterThanOrEqualTo(32);
        assertThat(TokenFile.read(file)).containsExactly(
                Map.entry(token, new UserInfo("admin", "admin", List.of("system:masters"))));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(TokenFile.create(dir.resolve("other.csv"), "admin", "admin", List.of())).isNotEqualTo(token);
    }

    @Test
    void csvQuotesAndEscapes() {
        assertThat(TokenFile.parseCsvLine("a,\"b,c\",\"d\"\"e\"")).containsExactly("a", "b,c", "d\"e");
        assertThat(TokenFile.parseCsvLine("a,,c")).containsExactly("a", "", "c");
    }
}

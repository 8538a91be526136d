package dev.navis.client.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A bearer token read from a file and re-read at most once a minute, as client-go does for projected
 * service-account tokens, which the kubelet rotates.
 */
public final class TokenFile implements Supplier<String> {

    private static final long REFRESH_NANOS = 60_000_000_000L;

    private final Path file;
    private String token;
    private long readAt;

    public TokenFile(Path file) {
        this.file = file;
        this.token = read();
        this.readAt = System.nanoTime();
    }

    @Override
    public synchronized String get() {
        if (System.nanoTime() - readAt > REFRESH_NANOS) {
            try {
                token = read();
            } catch (UncheckedIOException e) {
                // keep the last good token: a rotation in progress must not break requests
            }
            readAt = System.nanoTime();
        }
        return token;
    }

    private String read() {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read token file " + file, e);
        }
    }
}

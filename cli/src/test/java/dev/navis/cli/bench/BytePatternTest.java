package dev.navis.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BytePatternTest {

    private static int naive(byte[] bytes, int offset, int length, byte[] needle) {
        outer:
        for (int i = offset; i <= offset + length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void findsWhatAByteByByteSearchFinds() {
        Random random = new Random(7);
        for (int round = 0; round < 20_000; round++) {
            // a small alphabet makes partial matches and repeats common
            byte[] needle = new byte[1 + random.nextInt(6)];
            for (int i = 0; i < needle.length; i++) {
                needle[i] = (byte) ("ab\"\u00ff".charAt(random.nextInt(4)));
            }
            byte[] bytes = new byte[random.nextInt(40)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) ("ab\"\u00ff".charAt(random.nextInt(4)));
            }
            int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            int length = random.nextInt(bytes.length - offset + 1);
            assertThat(new BytePattern(needle).find(bytes, offset, length))
                    .as("%s in %s [%d, +%d)", new String(needle, StandardCharsets.ISO_8859_1),
                            new String(bytes, StandardCharsets.ISO_8859_1), offset, length)
                    .isEqualTo(naive(bytes, offset, length, needle));
        }
    }

    @Test
    void countsEveryItemOfAList() {
        byte[] list = "{\"items\":[{\"kind\":\"Pod\"},{\"kind\":\"Pod\"},{\"kind\":\"Pods\"}]}".getBytes(StandardCharsets.UTF_8);
        BytePattern pod = new BytePattern("\"kind\":\"Pod\"".getBytes(StandardCharsets.UTF_8));
        int count = 0;
        for (int i = pod.find(list, 0, list.length); i >= 0; i = pod.find(list, i + 1, list.length - i - 1)) {
            count++;
        }
        assertThat(count).isEqualTo(2);
    }
}

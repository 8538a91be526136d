package dev.navis.api.cron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** robfig/cron's ParseStandard and SpecSchedule.Next, as upstream's CronJob controller sees them. */
class CronTest {

    @ParameterizedTest(name = "{0} after {1} ({2}) -> {3}")
    @CsvSource(delimiter = '|', value = {
        // schedule              | from (local wall time)     | zone              | next (local wall time)
        "*/15 * * * *            | 2026-01-01T10:07:30        | UTC               | 2026-01-01T10:15:00",
        "0 * * * *               | 2026-01-01T10:00:00        | UTC               | 2026-01-01T11:00:00",
        "5 4 * * *               | 2026-01-01T04:05:00        | UTC               | 2026-01-02T04:05:00",
        "0 0 * * MON-FRI         | 2026-01-02T12:00:00        | UTC               | 2026-01-05T00:00:00",
        "0 0 1,15 * *            | 2026-01-02T00:00:00        | UTC               | 2026-01-15T00:00:00",
        "0 0 1 jan,jul ?         | 2026-01-02T00:00:00        | UTC               | 2026-07-01T00:00:00",
        "30 6 13 * fri           | 2026-02-01T00:00:00        | UTC               | 2026-02-06T06:30:00",
        "0 12 29 2 *             | 2026-03-01T00:00:00        | UTC               | 2028-02-29T12:00:00",
        "10/20 * * * *           | 2026-01-01T10:31:00        | UTC               | 2026-01-01T10:50:00",
        "0 9-17/4 * * *          | 2026-01-01T10:00:00        | UTC               | 2026-01-01T13:00:00",
        "@hourly                 | 2026-01-01T10:59:59        | UTC               | 2026-01-01T11:00:00",
        "@daily                  | 2026-01-01T10:00:00        | UTC               | 2026-01-02T00:00:00",
        "@midnight               | 2026-01-01T00:00:00        | UTC               | 2026-01-02T00:00:00",
        "@weekly                 | 2026-01-01T10:00:00        | UTC               | 2026-01-04T00:00:00",
        "@monthly                | 2026-01-01T10:00:00        | UTC               | 2026-02-01T00:00:00",
        "@yearly                 | 2026-01-01T10:00:00        | UTC               | 2027-01-01T00:00:00",
        "@annually               | 2026-06-01T10:00:00        | UTC               | 2027-01-01T00:00:00",
        "@every 90m              | 2026-01-01T10:00:00.500    | UTC               | 2026-01-01T11:30:00",
        "TZ=Asia/Tokyo 0 9 * * * | 2026-01-01T09:30:00        | UTC               | 2026-01-02T00:00:00",
        "0 9 * * *               | 2026-01-01T10:00:00        | Europe/Berlin     | 2026-01-02T09:00:00",
        // DST in New York: 2026-03-08 02:00 EST jumps to 03:00 EDT; 2026-11-01 02:00 EDT falls back to 01:00 EST
        "30 2 * * *              | 2026-03-07T03:00:00        | America/New_York  | 2026-03-09T02:30:00",
        "30 3 * * *              | 2026-03-08T00:00:00        | America/New_York  | 2026-03-08T03:30:00",
        "0 * * * *               | 2026-03-08T01:30:00        | America/New_York  | 2026-03-08T03:00:00",
        "30 1 * * *              | 2026-11-01T00:00:00        | America/New_York  | 2026-11-01T01:30:00",
    })
    void next(String spec, String from, String zone, String expected) {
        ZoneId z = ZoneId.of(zone);
        Schedule s = Cron.parseStandard(spec, z);
        Instant start = java.time.LocalDateTime.parse(from).atZone(z).toInstant();
        Instant next = s.next(start);
        assertThat(next.atZone(z).toLocalDateTime().toString()).isEqualTo(
                java.time.LocalDateTime.parse(expected).toString());
    }

    @org.junit.jupiter.api.Test
    void fallBackHourFiresTwice() {
        ZoneId ny = ZoneId.of("America/New_York");
        Schedule s = Cron.parseStandard("30 1 * * *", ny);
        Instant first = s.next(ZonedDateTime.of(2026, 11, 1, 0, 0, 0, 0, ny).toInstant());
        Instant second = s.next(first);
        assertThat(first.atZone(ny).getOffset().getTotalSeconds()).isEqualTo(-4 * 3600);
        assertThat(second.atZone(ny).getOffset().getTotalSeconds()).isEqualTo(-5 * 3600);
        assertThat(java.time.Duration.between(first, second)).hasHours(1);
    }

    @org.junit.jupiter.api.Test
    void impossibleDateHasNoNextTime() {
        assertThat(Cron.parseStandard("0 0 30 2 *", ZoneId.of("UTC")).next(Instant.parse("2026-01-01T00:00:00Z"))).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "* * * *                | expected exactly 5 fields, found 4: [* * * *]",
        "* * * * * *            | expected exactly 5 fields, found 6: [* * * * * *]",
        "x * * * *              | failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax",
        "5-1 * * * *            | beginning of range (5) beyond end of range (1): 5-1",
        "*/0 * * * *            | step of range should be a positive number: */0",
        "0 24 * * *             | end of range (24) above maximum (23): 24",
        "0 0 * * 7              | end of range (7) above maximum (6): 7",
        "0 0 0 * *              | beginning of range (0) below minimum (1): 0",
        "1-2-3 * * * *          | too many hyphens: 1-2-3",
        "1/2/3 * * * *          | too many slashes: 1/2/3",
        "@weird                 | unrecognized descriptor: @weird",
        "@every 1d              | failed to parse duration @every 1d: time: unknown unit \"d\" in duration \"1d\"",
        "TZ=Mars/Olympus * * * * * | provided bad location Mars/Olympus: unknown time zone Mars/Olympus",
    })
    void errors(String spec, String message) {
        assertThatThrownBy(() -> Cron.parseStandard(spec, ZoneId.of("UTC"))).isInstanceOf(CronException.class)
                .hasMessage(message);
    }
}

package dev.navis.client.workqueue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.navis.client.fake.FakeClock;
import dev.navis.client.util.TokenBucket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    @Test
    void exponentialBackoffDoublesFromFiveMillisecondsToTheCap() {
        var limiter = new ItemExponentialFailureRateLimiter<String>(Duration.ofMillis(5), Duration.ofSeconds(1000));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(10));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(20));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(40));
        assertThat(limiter.when("b")).as("per item").isEqualTo(Duration.ofMillis(5));
        assertThat(limiter.numRequeues("a")).isEqualTo(4);
        for (int i = 0; i < 30; i++) {
            limiter.when("a");
        }
        assertThat(limiter.when("a")).isEqualTo(Duration.ofSeconds(1000));
        limiter.forget("a");
        assertThat(limiter.numRequeues("a")).isZero();
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void exponentialBackoffDoesNotOverflowAfterManyFailures() {
        var limiter = new ItemExponentialFailureRateLimiter<String>(Duration.ofMillis(5), Duration.ofSeconds(1000));
        for (int i = 0; i < 5000; i++) {
            limiter.when("a");
        }
        assertThat(limiter.when("a")).isEqualTo(Duration.ofSeconds(1000));
    }

    @Test
    void bucketAllowsTheBurstThenSpacesAtQps() {
        FakeClock clock = new FakeClock();
        var limiter = new BucketRateLimiter<String>(new TokenBucket(10, 100, clock));
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.when("x" + i)).isZero();
        }
        assertThat(limiter.when("y")).isEqualTo(Duration.ofMillis(100));
        assertThat(limiter.when("z")).isEqualTo(Duration.ofMillis(200));
        clock.advance(Duration.ofSeconds(1));
        // 10 tokens came back, 2 were owed
        assertThat(limiter.when("w")).isZero();
    }

    @Test
    void defaultControllerLimiterTakesTheLongerOfBoth() {
        FakeClock clock = new FakeClock();
        RateLimiter<String> limiter = RateLimiters.defaultControllerRateLimiter(clock);
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(10));
        for (int i = 0; i < 98; i++) {
            limiter.when("item-" + i); // drains the 100-token burst
        }
        // the bucket now owes 100 ms, more than a first failure's 5 ms
        assertThat(limiter.when("fresh")).isEqualTo(Duration.ofMillis(100));
        assertThat(limiter.numRequeues("a")).isEqualTo(2);
    }
}

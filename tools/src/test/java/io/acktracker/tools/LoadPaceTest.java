package io.acktracker.tools;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code load}'s rate: judged by what the run achieves in its first second, not capped by a fixed number; and the
 * channel it sends on, as seen from here.
 */
class LoadPaceTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void shouldRefuseARateTheLoadCannotDriveWithWhatItAchieved()
    {
        assertThat(LoadPace.refusal(5_000_000, SECOND, 812_345, 0, 3)).isEqualTo("--rate 5,000,000/s cannot be " +
            "driven from here: in its first 1.0 s the load's one sending thread tracked 812,345 messages " +
            "(~812,345/s, 3 frames each: the Track and an ack per destination); try --rate 640,000 or less");
        assertThat(LoadPace.refusal(5_000_000, 2 * SECOND, 1_000_000, 1_234, 2)).contains("in its first 2.0 s")
            .contains("(~500,000/s, 2 frames each").contains("back-pressured 1,234 times")
            .endsWith("try --rate 400,000 or less");
    }

    @Test
    void shouldLetARateThroughThatKeepsUpOrIsNotYetJudged()
    {
        assertThat(LoadPace.refusal(10_000, SECOND, 9_990, 0, 3)).isNull();
        assertThat(LoadPace.refusal(10_000, SECOND, 5_000, 0, 3)).as("a stall, not a rate out of reach").isNull();
        assertThat(LoadPace.refusal(10_000, SECOND / 2, 0, 0, 3)).as("not judged before a second").isNull();
        assertThat(LoadPace.refusal(10_000, SECOND, 4_999, 0, 3)).isNotNull();
    }

    @Test
    void shouldSuggestFourFifthsOfTheAchievedRateToTwoDigits()
    {
        assertThat(LoadPace.suggestion(812_345)).isEqualTo(640_000);
        assertThat(LoadPace.suggestion(1_000)).isEqualTo(800);
        assertThat(LoadPace.suggestion(50)).isEqualTo(40);
        assertThat(LoadPace.suggestion(0)).isEqualTo(1);
    }

    @Test
    void shouldSendToAWildcardEndpointOnLocalhostAndLetAGivenChannelWin()
    {
        assertThat(LoadChannels.seenFromHere("aeron:udp?endpoint=0.0.0.0:40123"))
            .isEqualTo("aeron:udp?endpoint=localhost:40123");
        assertThat(LoadChannels.seenFromHere("aeron:udp?endpoint=10.0.0.5:40123"))
            .isEqualTo("aeron:udp?endpoint=10.0.0.5:40123");
        assertThat(LoadChannels.seenFromHere("aeron:ipc")).isEqualTo("aeron:ipc");

        final ServiceRegistration.Service udp = new ServiceRegistration.Service(null, "s", 1, null, 7001, 7002, 0, 0,
            null, null, "aeron:udp?endpoint=0.0.0.0:40123", "aeron:udp?endpoint=localhost:40124");
        assertThat(LoadChannels.inbound(null, udp)).isEqualTo("aeron:udp?endpoint=localhost:40123");
        assertThat(LoadChannels.outbound(null, udp)).isEqualTo("aeron:udp?endpoint=localhost:40124");
        assertThat(LoadChannels.inbound("aeron:ipc", udp)).isEqualTo("aeron:ipc");
        assertThat(LoadChannels.outbound("aeron:udp?endpoint=h:1", udp)).isEqualTo("aeron:udp?endpoint=h:1");
        final ServiceRegistration.Service older = new ServiceRegistration.Service(null, "s", 1, null, 7001, 7002, 0,
            0, null, null, null, null);
        assertThat(LoadChannels.inbound(null, older)).isEqualTo("aeron:ipc");
        assertThat(LoadChannels.inbound(null, null)).isEqualTo("aeron:ipc");
    }
}

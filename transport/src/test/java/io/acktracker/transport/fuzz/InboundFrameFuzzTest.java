package io.acktracker.transport.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.acktracker.transport.TransportCounter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decoder fuzzing with Jazzer: coverage-guided byte inputs into {@code CommandAdapter.onFragment}, checked by
 * {@link InboundHarness} exactly like the seeded properties (no exception, malformed frames counted and changing
 * nothing, well-formed frames handled once, agreement with {@link FrameOracle}).
 * <p>
 * An input is a sequence of frames, so the fuzzer can build state and then hit it (track, then reject): each record
 * is a control byte (bits 0-1: session A, B, C, A; bits 2-3: unfragmented, begin, end or middle fragment), a
 * little-endian u16 length, then that many frame bytes (fewer if the input ends first); at most
 * {@value #MAX_FRAMES} records. The seed corpus in
 * {@code src/test/resources/io/acktracker/transport/fuzz/InboundFrameFuzzTestInputs/fuzzInboundFrame/} holds one
 * valid frame of every inbound template and regression inputs.
 * <p>
 * Default run (regression mode): only the seeds (and Jazzer's empty input). Fuzzing mode:
 * {@code JAZZER_FUZZ=1 mvn -B verify -pl transport -am -Dtest=InboundFrameFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false} (see RELIABILITY.md).
 */
class InboundFrameFuzzTest
{
    static final int MAX_FRAMES = 16;
    private static final byte[] FLAGS = {Wire.UNFRAGMENTED, Wire.BEGIN_ONLY, Wire.END_ONLY, Wire.MIDDLE};
    private static final int RECYCLE_EVERY = 250_000;
    private static final FuzzStats STATS = new FuzzStats("decoder fuzzing, Jazzer");
    private static InboundHarness harness;
    private static long fedSinceOpen;

    static
    {
        // Regression mode (no JAZZER_FUZZ): replay the seeds without Jazzer's instrumentation agent. Its sanitizer
        // hooks (SSRF, path traversal, injection, ...) have nothing to check in a byte decoder, loading them costs
        // about 20 s on a 2-core machine, and the agent would stay in the shared test JVM rewriting classes that
        // other tests (the allocation test) measure. Fuzzing mode keeps the default (hooks and coverage on).
        if (!isTruthy(System.getenv("JAZZER_FUZZ")) && !isTruthy(System.getProperty("JAZZER_FUZZ")) &&
            null == System.getProperty("jazzer.hooks"))
        {
            System.setProperty("jazzer.hooks", "false");
        }
    }

    @BeforeAll
    static void open()
    {
        harness = InboundHarness.open(STATS);
    }

    @AfterAll
    static void close()
    {
        final String summary = harness.summary();
        harness.close();
        System.out.println(STATS.report(summary));
    }

    private static boolean isTruthy(final String value)
    {
        return "1".equals(value) || "true".equalsIgnoreCase(value) || "yes".equalsIgnoreCase(value);
    }

    @FuzzTest(maxDuration = "3m")
    void fuzzInboundFrame(final byte[] input)
    {
        if (fedSinceOpen >= RECYCLE_EVERY)
        {
            // a long fuzzing run would otherwise fill the tracker's table and meet only CAPACITY_EXCEEDED
            harness.close();
            harness = InboundHarness.open(STATS);
            fedSinceOpen = 0;
        }
        int at = 0;
        for (int frames = 0; frames < MAX_FRAMES && at + 3 <= input.length; frames++)
        {
            final int control = input[at] & 0xFF;
            final int length = Math.min(Wire.u16(input, at + 1), input.length - at - 3);
            final byte[] frame = Arrays.copyOfRange(input, at + 3, at + 3 + length);
            at += 3 + length;
            final int session = InboundHarness.SESSIONS[(control & 3) % InboundHarness.SESSIONS.length];
            final byte flags = FLAGS[(control >> 2) & 3];
            final TransportCounter verdict = harness.feed(frame, frame.length, flags, session);
            if (Wire.UNFRAGMENTED != flags)
            {
                assertThat(verdict).isEqualTo(TransportCounter.MALFORMED_FRAGMENTED);
            }
            fedSinceOpen++;
        }
    }
}

package io.acktracker.engine.util;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Zeroing and copying in steps reaches every byte, across step boundaries and for lengths that are not a multiple
 * of a step, and touches nothing past the end.
 */
class ChunkedMemoryTest
{
    private static final long LENGTH = 3 * ChunkedMemory.STEP_BYTES + 12_345;

    @Test
    void shouldZeroAndCopyEveryByteAndNothingPastTheEnd()
    {
        final long from = UnsafeApi.allocateMemory(LENGTH + 16);
        final long to = UnsafeApi.allocateMemory(LENGTH + 16);
        try
        {
            for (long i = 0; i < LENGTH + 16; i++)
            {
                UnsafeApi.putByte(from + i, (byte)(i * 31 + 7));
                UnsafeApi.putByte(to + i, (byte)0x5A);
            }
            ChunkedMemory.copy(from, to, LENGTH);
            for (long i = 0; i < LENGTH; i++)
            {
                assertThat(UnsafeApi.getByte(to + i)).as("copied byte %d", i).isEqualTo((byte)(i * 31 + 7));
            }
            assertThat(UnsafeApi.getByte(to + LENGTH)).as("the byte past the end").isEqualTo((byte)0x5A);

            ChunkedMemory.zero(to, LENGTH - 1);
            for (long i = 0; i < LENGTH - 1; i++)
            {
                assertThat(UnsafeApi.getByte(to + i)).as("zeroed byte %d", i).isZero();
            }
            assertThat(UnsafeApi.getByte(to + LENGTH - 1)).as("the byte past the zeroed end")
                .isEqualTo((byte)((LENGTH - 1) * 31 + 7));
        }
        finally
        {
            UnsafeApi.freeMemory(from);
            UnsafeApi.freeMemory(to);
        }
    }
}

package io.acktracker.engine.util;

import org.agrona.UnsafeApi;

/**
 * Bulk off-heap zeroing and copying in steps, for a checkpoint's helper thread working on hundreds of megabytes.
 * <p>
 * Why: {@code Unsafe.setMemory} and {@code Unsafe.copyMemory} run as one call the JVM cannot interrupt for a
 * safepoint (a VM call, or a stub without safepoint polls), and every other Java thread, the agent included, waits
 * at its next safepoint poll until that call returns. On fresh memory each page is faulted in during the call; on
 * the paravirtualised VM this project is measured on a fault costs tens of microseconds, so zeroing 300 MB in one
 * call held a requested safepoint for seconds (time to safepoint up to 170 ms was logged while the helper copied
 * a 1M-entry table, and the agent's longest ack during such a checkpoint was 5.9-13 s). In steps of
 * {@value #STEP_BYTES} bytes each call ends within a few milliseconds even when it faults every page, and the
 * loop between calls polls for a safepoint (its index is a {@code long}: not a counted loop, so the JIT keeps the
 * poll).
 * <p>
 * Any thread; the caller owns the memory.
 */
public final class ChunkedMemory
{
    /** Bytes per call: 64 pages, at most a few milliseconds of page faults on the slowest machine measured. */
    public static final long STEP_BYTES = 256 * 1024;

    private ChunkedMemory()
    {
    }

    /**
     * Set {@code length} bytes from {@code address} to zero, a step at a time.
     *
     * @param address first byte.
     * @param length  bytes.
     */
    public static void zero(final long address, final long length)
    {
        for (long done = 0; done < length; done += STEP_BYTES)
        {
            UnsafeApi.setMemory(address + done, Math.min(STEP_BYTES, length - done), (byte)0);
        }
    }

    /**
     * Copy {@code length} bytes between off-heap addresses that do not overlap, a step at a time.
     *
     * @param from   first byte to read.
     * @param to     first byte to write.
     * @param length bytes.
     */
    public static void copy(final long from, final long to, final long length)
    {
        for (long done = 0; done < length; done += STEP_BYTES)
        {
            UnsafeApi.copyMemory(from + done, to + done, Math.min(STEP_BYTES, length - done));
        }
    }
}

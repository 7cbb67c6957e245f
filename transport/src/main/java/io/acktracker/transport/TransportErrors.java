package io.acktracker.transport;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorConsumer;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Counts and records what went wrong in the transport: malformed frames (one counter per kind) and unexpected
 * exceptions, each recorded once in an Agrona {@link DistinctErrorLog} (later observations of the same error only
 * bump its count and last-seen time), optionally memory-mapped so a tool can read it from another process with
 * {@link ErrorLogReader}.
 * <p>
 * Threading: {@link #onMalformed} on the agent thread; {@link #onError} from any thread; readers any thread.
 */
public final class TransportErrors implements AutoCloseable
{
    /** File name used inside a data directory. */
    public static final String FILE_NAME = "transport-errors.dat";

    private final TransportCounters counters;
    private final AtomicBuffer buffer;
    private final MappedByteBuffer mapped;
    private final DistinctErrorLog log;

    /**
     * An error log of a given length.
     *
     * @param counters transport counters.
     * @param file     file to map, or null to keep the log in memory.
     * @param length   bytes, a multiple of 8.
     */
    public TransportErrors(final TransportCounters counters, final Path file, final int length)
    {
        this.counters = counters;
        if (null == file)
        {
            mapped = null;
            buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        }
        else
        {
            mapped = ErrorLogFile.map(file, length);
            buffer = new UnsafeBuffer(mapped);
        }
        log = new DistinctErrorLog(buffer, SystemEpochClock.INSTANCE);
    }

    /**
     * Count a malformed frame and record its kind. Allocation-free after the first of each kind.
     *
     * @param error what was wrong.
     */
    public void onMalformed(final ProtocolError error)
    {
        counters.increment(TransportCounter.MALFORMED_FRAMES);
        counters.increment(error.counter());
        log.record(error.exception());
    }

    /**
     * Count and record an unexpected exception; the duty cycle carries on.
     *
     * @param throwable what was thrown.
     */
    public void onError(final Throwable throwable)
    {
        counters.incrementShared(TransportCounter.ERRORS);
        log.record(throwable);
    }

    /**
     * Read the distinct errors recorded so far. Any thread.
     *
     * @param consumer told of each distinct error.
     * @return how many distinct errors were read.
     */
    public int read(final ErrorConsumer consumer)
    {
        return ErrorLogReader.read(buffer, consumer);
    }

    public void close()
    {
        if (null != mapped)
        {
            IoUtil.unmap(mapped);
        }
    }
}

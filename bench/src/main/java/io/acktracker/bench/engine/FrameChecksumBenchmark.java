package io.acktracker.bench.engine;

import org.agrona.BufferUtil;
import org.agrona.checksum.Crc32c;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The journal's choice of checksum path, measured: CRC32C of a frame ({@code frameLength} bytes: header and a 16 or
 * 64-byte body) the way {@code FrameChecksum} does it (the JDK's {@link CRC32C} over a direct {@link ByteBuffer}
 * view, in two ranges around the checksum field) against Agrona 2.4.1's {@link Crc32c} (one call by address, but it
 * needs {@code --add-opens java.base/java.util.zip=ALL-UNNAMED}, given to this fork only). Run with {@code -prof gc}
 * for the allocation.
 * <p>
 * Single thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "--add-opens=java.base/java.util.zip=ALL-UNNAMED" })
public class FrameChecksumBenchmark
{
    /** Header (40) plus a 16 or 64-byte body. */
    @Param({ "56", "104" })
    public int frameLength;

    private final CRC32C crc = new CRC32C();
    private ByteBuffer segment;
    private ByteBuffer view;
    private long address;

    /** A direct buffer standing for a mapped segment, with some bytes in it. */
    @Setup
    public void setUp()
    {
        segment = ByteBuffer.allocateDirect(4096);
        for (int i = 0; i < segment.capacity(); i++)
        {
            segment.put(i, (byte)(i * 31));
        }
        view = segment.duplicate();
        address = BufferUtil.address(segment);
    }

    /**
     * @return the checksum, as the journal computes it.
     */
    @Benchmark
    public int jdkCrc32cTwoRanges()
    {
        crc.reset();
        view.limit(32).position(4);
        crc.update(view);
        view.limit(frameLength).position(36);
        crc.update(view);
        return (int)crc.getValue();
    }

    /**
     * @return the checksum over one range with the JDK, as a layout with the checksum beside the length allows.
     */
    @Benchmark
    public int jdkCrc32cOneRange()
    {
        crc.reset();
        view.limit(frameLength).position(8);
        crc.update(view);
        return (int)crc.getValue();
    }

    /**
     * @return a checksum over one range by address (Agrona), for comparison.
     */
    @Benchmark
    public int agronaCrc32cOneRange()
    {
        return Crc32c.INSTANCE.compute(address, 4, frameLength - 4);
    }
}

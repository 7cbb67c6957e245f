package io.acktracker.engine.store;

import io.acktracker.engine.record.PendingRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.hash.serialization.SizedReader;
import net.openhft.chronicle.hash.serialization.SizedWriter;
import net.openhft.chronicle.hash.serialization.impl.EnumMarshallable;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

import java.lang.invoke.VarHandle;

/**
 * Chronicle Map value marshaller for {@link RecordBytes}: a raw copy of the fixed-size record.
 * <p>
 * Reading honours the record's sequence lock: the end version is read before the body and the start version
 * after it, so a copy taken while the agent was writing shows {@link PendingRecord#isConsistent()} false.
 * Chronicle stores the marshaller's class in the map header and restores the singleton through
 * {@link #readResolve()}.
 */
public final class RecordBytesMarshaller
    implements SizedReader<RecordBytes>, SizedWriter<RecordBytes>, EnumMarshallable<RecordBytesMarshaller>
{
    /** The one instance. */
    public static final RecordBytesMarshaller INSTANCE = new RecordBytesMarshaller();

    private RecordBytesMarshaller()
    {
    }

    public @NotNull RecordBytes read(
        final @NotNull Bytes<?> in, final long size, final @Nullable RecordBytes using)
    {
        final RecordBytes into = null == using ? new RecordBytes() : using;
        final long position = in.readPosition();
        final long end = in.readVolatileLong(position + PendingRecord.VERSION_END_OFFSET);
        in.read(into.bytes, 0, PendingRecord.LENGTH);
        VarHandle.acquireFence();
        final long start = in.readVolatileLong(position + PendingRecord.VERSION_START_OFFSET);
        into.record().buffer().putLong(PendingRecord.VERSION_START_OFFSET, start);
        into.record().buffer().putLong(PendingRecord.VERSION_END_OFFSET, end);
        return into;
    }

    public long size(final @NotNull RecordBytes toWrite)
    {
        return PendingRecord.LENGTH;
    }

    public void write(final Bytes<?> out, final long size, final @NotNull RecordBytes toWrite)
    {
        out.write(toWrite.bytes, 0, PendingRecord.LENGTH);
    }

    public @NotNull RecordBytesMarshaller readResolve()
    {
        return INSTANCE;
    }
}

package io.acktracker.engine.store;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.hash.serialization.SizedReader;
import net.openhft.chronicle.hash.serialization.SizedWriter;
import net.openhft.chronicle.hash.serialization.impl.EnumMarshallable;
import org.jetbrains.annotations.NotNull;
import org.jetbrains.annotations.Nullable;

/**
 * Chronicle Map value marshaller for {@link BlobBytes}: raw bytes of any length, into a reused holder.
 */
public final class BlobMarshaller
    implements SizedReader<BlobBytes>, SizedWriter<BlobBytes>, EnumMarshallable<BlobMarshaller>
{
    /** The one instance. */
    public static final BlobMarshaller INSTANCE = new BlobMarshaller();

    private BlobMarshaller()
    {
    }

    public @NotNull BlobBytes read(final @NotNull Bytes<?> in, final long size, final @Nullable BlobBytes using)
    {
        final BlobBytes into = null == using ? new BlobBytes((int)size) : using;
        into.length((int)size);
        in.read(into.bytes, 0, (int)size);
        return into;
    }

    public long size(final @NotNull BlobBytes toWrite)
    {
        return toWrite.length;
    }

    public void write(final Bytes<?> out, final long size, final @NotNull BlobBytes toWrite)
    {
        out.write(toWrite.bytes, 0, toWrite.length);
    }

    public @NotNull BlobMarshaller readResolve()
    {
        return INSTANCE;
    }
}

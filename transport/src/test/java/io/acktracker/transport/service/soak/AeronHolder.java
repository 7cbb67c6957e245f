package io.acktracker.transport.service.soak;

import io.aeron.Aeron;
import org.agrona.CloseHelper;

/** The soak client's current Aeron client, replaced when its driver dies; closes the last one. One thread. */
final class AeronHolder implements AutoCloseable
{
    Aeron aeron;

    AeronHolder(final Aeron aeron)
    {
        this.aeron = aeron;
    }

    public void close()
    {
        CloseHelper.quietClose(aeron);
    }
}

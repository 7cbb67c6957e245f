package io.acktracker.transport.outbound;

import org.agrona.DirectBuffer;

/**
 * Where outbound frames go: an Aeron publication's {@code offer} in production, a scripted fake in tests.
 * Returns follow {@link io.aeron.Publication#offer(DirectBuffer, int, int)}: a new position when positive, else
 * NOT_CONNECTED, BACK_PRESSURED, ADMIN_ACTION, CLOSED or MAX_POSITION_EXCEEDED.
 */
@FunctionalInterface
public interface FrameSink
{
    /**
     * Offer one frame.
     *
     * @param buffer holding the frame.
     * @param offset where it starts.
     * @param length its length.
     * @return new stream position, or a negative Aeron publication result.
     */
    long offer(DirectBuffer buffer, int offset, int length);
}

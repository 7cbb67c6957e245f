package io.acktracker.engine.api;

import org.agrona.DirectBuffer;

/**
 * The arguments of one track, as a reusable mutable object so the hot path allocates nothing: keep one per thread
 * and {@link #reset()} it between uses.
 * <pre>{@code
 * request.reset().messageId(id).destinations(venueA | venueB).requiredAcks(1).ackTimeoutNs(5_000_000);
 * Result result = agent.track(request);
 * }</pre>
 */
public final class TrackRequest
{
    /** Timeout value meaning "use the tracker's default". */
    public static final long DEFAULT_TIMEOUT = 0;
    /** Timeout value meaning "never". */
    public static final long NO_TIMEOUT = Long.MAX_VALUE;
    /** Required acks meaning "every destination". */
    public static final int ALL_DESTINATIONS = 0;
    /**
     * The one message id a track may not use ({@link Long#MIN_VALUE}): the tracker's id queues (retries, parked
     * redeliveries, dead letters) use it as their empty marker. Refused as {@link Result#INVALID_ARGUMENT}.
     */
    public static final long RESERVED_MESSAGE_ID = Long.MIN_VALUE;

    /** Most attempts a message may make per destination (its record counts them in 4 bits). */
    public static final int MAX_ATTEMPTS = 15;

    long messageId;
    long destinations;
    int requiredAcks;
    long ackTimeoutNs;
    long ttlNs;
    int priority;
    int messageClass;
    int maxAttempts;
    boolean hasStream;
    int streamId;
    long sequence;
    DirectBuffer metadata;
    int metadataOffset;
    int metadataLength;

    /**
     * Clear every field to its default.
     *
     * @return this.
     */
    public TrackRequest reset()
    {
        messageId = 0;
        destinations = 0;
        requiredAcks = ALL_DESTINATIONS;
        ackTimeoutNs = DEFAULT_TIMEOUT;
        ttlNs = DEFAULT_TIMEOUT;
        priority = 0;
        messageClass = 0;
        maxAttempts = 0;
        hasStream = false;
        streamId = 0;
        sequence = 0;
        metadata = null;
        metadataOffset = 0;
        metadataLength = 0;
        return this;
    }

    /**
     * The message's id: unique among live and recently finished messages, any value but
     * {@link #RESERVED_MESSAGE_ID}.
     *
     * @param messageId the id.
     * @return this.
     */
    public TrackRequest messageId(final long messageId)
    {
        this.messageId = messageId;
        return this;
    }

    /**
     * The message's id: unique among live and recently finished messages, any value but {@link #RESERVED_MESSAGE_ID}.
     *
     * @return the setting.
     */
    public long messageId()
    {
        return messageId;
    }

    /**
     * Destinations as a bitset of registry ids: bit {@code n} set means destination id {@code n}.
     *
     * @param destinations bitset, see {@link DestinationRegistry#mask(int...)}.
     * @return this.
     */
    public TrackRequest destinations(final long destinations)
    {
        this.destinations = destinations;
        return this;
    }

    /**
     * Destinations as a bitset of registry ids: bit {@code n} set means destination id {@code n}.
     *
     * @return the setting.
     */
    public long destinations()
    {
        return destinations;
    }

    /**
     * Acks needed to complete (k of n). {@link #ALL_DESTINATIONS} (the default) means n.
     *
     * @param requiredAcks k.
     * @return this.
     */
    public TrackRequest requiredAcks(final int requiredAcks)
    {
        this.requiredAcks = requiredAcks;
        return this;
    }

    /**
     * Acks needed to complete (k of n).
     *
     * @return the setting.
     */
    public int requiredAcks()
    {
        return requiredAcks;
    }

    /**
     * Time each attempt may wait for its acks. {@link #DEFAULT_TIMEOUT} uses the tracker's default,
     * {@link #NO_TIMEOUT} waits for ever.
     *
     * @param ackTimeoutNs nanoseconds.
     * @return this.
     */
    public TrackRequest ackTimeoutNs(final long ackTimeoutNs)
    {
        this.ackTimeoutNs = ackTimeoutNs;
        return this;
    }

    /**
     * Time each attempt may wait for its acks.
     *
     * @return the setting.
     */
    public long ackTimeoutNs()
    {
        return ackTimeoutNs;
    }

    /**
     * Time to live from track to EXPIRED, across all attempts. {@link #DEFAULT_TIMEOUT} uses the tracker's default,
     * {@link #NO_TIMEOUT} never expires.
     *
     * @param ttlNs nanoseconds.
     * @return this.
     */
    public TrackRequest ttlNs(final long ttlNs)
    {
        this.ttlNs = ttlNs;
        return this;
    }

    /**
     * Time to live from track to EXPIRED, across all attempts.
     *
     * @return the setting.
     */
    public long ttlNs()
    {
        return ttlNs;
    }

    /**
     * Priority, higher first when many retries fall due together (-128..127).
     *
     * @param priority value.
     * @return this.
     */
    public TrackRequest priority(final int priority)
    {
        this.priority = priority;
        return this;
    }

    /**
     * Priority, higher first when many retries fall due together (-128..127).
     *
     * @return the setting.
     */
    public int priority()
    {
        return priority;
    }

    /**
     * Message class id whose defaults apply (0: the tracker's defaults).
     *
     * @param messageClass id.
     * @return this.
     */
    public TrackRequest messageClass(final int messageClass)
    {
        this.messageClass = messageClass;
        return this;
    }

    /**
     * Message class id whose defaults apply (0: the tracker's defaults).
     *
     * @return the setting.
     */
    public int messageClass()
    {
        return messageClass;
    }

    /**
     * Attempts per destination including the first send (1..15; 1 means no retries). 0 uses the class default.
     *
     * @param maxAttempts attempts.
     * @return this.
     */
    public TrackRequest maxAttempts(final int maxAttempts)
    {
        this.maxAttempts = maxAttempts;
        return this;
    }

    /**
     * Attempts per destination including the first send (1..15; 1 means no retries).
     *
     * @return the setting.
     */
    public int maxAttempts()
    {
        return maxAttempts;
    }

    /**
     * A small opaque blob kept with the message and its dead letter (bounded by the tracker's maximum). The bytes
     * are copied when the track is processed (or queued); the buffer is not kept.
     *
     * @param buffer holding the metadata.
     * @param offset of the first byte.
     * @param length number of bytes, 0 for none.
     * @return this.
     */
    public TrackRequest metadata(final DirectBuffer buffer, final int offset, final int length)
    {
        this.metadata = buffer;
        this.metadataOffset = offset;
        this.metadataLength = length;
        return this;
    }

    /**
     * The metadata buffer, or null for none.
     *
     * @return the buffer.
     */
    public DirectBuffer metadata()
    {
        return metadata;
    }

    /**
     * Where the metadata starts in its buffer.
     *
     * @return the offset.
     */
    public int metadataOffset()
    {
        return metadataOffset;
    }

    /**
     * Length of the metadata.
     *
     * @return bytes; 0 for none.
     */
    public int metadataLength()
    {
        return null == metadata ? 0 : metadataLength;
    }

    /**
     * Place the message on a stream so cumulative acks can confirm it.
     *
     * @param streamId stream.
     * @param sequence its sequence (offset) on the stream.
     * @return this.
     */
    public TrackRequest stream(final int streamId, final long sequence)
    {
        this.hasStream = true;
        this.streamId = streamId;
        this.sequence = sequence;
        return this;
    }

    /**
     * Whether the message belongs to a stream (cumulative acks).
     *
     * @return true when a stream id and sequence are set.
     */
    public boolean hasStream()
    {
        return hasStream;
    }

    /**
     * The stream, when {@link #hasStream()}.
     *
     * @return the stream id.
     */
    public int streamId()
    {
        return streamId;
    }

    /**
     * The message's sequence in its stream, when {@link #hasStream()}.
     *
     * @return the sequence.
     */
    public long sequence()
    {
        return sequence;
    }

    /**
     * Copy another request.
     *
     * @param other to copy.
     * @return this.
     */
    public TrackRequest copyFrom(final TrackRequest other)
    {
        messageId = other.messageId;
        destinations = other.destinations;
        requiredAcks = other.requiredAcks;
        ackTimeoutNs = other.ackTimeoutNs;
        ttlNs = other.ttlNs;
        priority = other.priority;
        messageClass = other.messageClass;
        maxAttempts = other.maxAttempts;
        metadata = other.metadata;
        metadataOffset = other.metadataOffset;
        metadataLength = other.metadataLength;
        hasStream = other.hasStream;
        streamId = other.streamId;
        sequence = other.sequence;
        return this;
    }

    /**
     * For logs.
     *
     * @return the fields set.
     */
    public String toString()
    {
        return "TrackRequest{id=" + messageId + ", destinations=" + Long.toHexString(destinations) +
            ", requiredAcks=" + requiredAcks + ", ackTimeoutNs=" + ackTimeoutNs + ", ttlNs=" + ttlNs +
            (hasStream ? ", stream=" + streamId + ":" + sequence : "") + '}';
    }
}

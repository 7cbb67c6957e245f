package io.acktracker.transport;

/**
 * Why an inbound frame was malformed. Each kind has its own counter, and is recorded once (then counted) in the
 * transport's distinct error log.
 */
public enum ProtocolError
{
    /** Shorter than the message header, or than the root block, group or data its header declares. */
    SHORT_FRAME(TransportCounter.MALFORMED_SHORT, "frame shorter than its header, block, group or data"),
    /** The schema id is not acktracker's. */
    WRONG_SCHEMA(TransportCounter.MALFORMED_SCHEMA, "wrong schema id"),
    /** The schema version is below the oldest this reader accepts. */
    WRONG_VERSION(TransportCounter.MALFORMED_VERSION, "unsupported schema version"),
    /** A template id this reader does not know, or one that does not belong on this stream. */
    UNKNOWN_TEMPLATE(TransportCounter.MALFORMED_TEMPLATE, "unknown template id"),
    /** A block length shorter than the fields this reader needs. */
    BAD_BLOCK_LENGTH(TransportCounter.MALFORMED_SHORT, "block length shorter than this version's fields"),
    /** A group count over its bound, or a group entry shorter than its fields. */
    BAD_GROUP(TransportCounter.MALFORMED_GROUP, "bad group count or entry length"),
    /** Text or data longer than its bound (or empty where text is required). */
    STRING_OUT_OF_BOUNDS(TransportCounter.MALFORMED_STRING, "text or data length out of bounds"),
    /** A field outside its range, e.g. a destination id over 63 or an unknown enum value. */
    BAD_FIELD(TransportCounter.MALFORMED_FIELD, "field value out of range"),
    /** A frame split into fragments; every acktracker frame fits in one. */
    FRAGMENTED(TransportCounter.MALFORMED_FRAGMENTED, "fragmented frame");

    private final TransportCounter counter;
    private final String description;
    private final MalformedFrameException exception;

    ProtocolError(final TransportCounter counter, final String description)
    {
        this.counter = counter;
        this.description = description;
        this.exception = new MalformedFrameException(this);
    }

    /**
     * The counter this kind bumps (besides {@link TransportCounter#MALFORMED_FRAMES}).
     *
     * @return the counter.
     */
    public TransportCounter counter()
    {
        return counter;
    }

    /**
     * One line saying what is wrong.
     *
     * @return the description.
     */
    public String description()
    {
        return description;
    }

    /**
     * The one preallocated, stackless exception standing for this kind in the distinct error log: recording it
     * again folds into the same entry without allocating.
     *
     * @return the exception.
     */
    public MalformedFrameException exception()
    {
        return exception;
    }

    /**
     * A malformed inbound frame, as recorded in the distinct error log. Never thrown.
     */
    public static final class MalformedFrameException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        MalformedFrameException(final ProtocolError error)
        {
            super("malformed frame " + error.name() + ": " + error.description, null, false, false);
        }
    }
}

package io.acktracker.engine.state;

/**
 * The tags that start each part of an exact image ({@link ImageWriter}), in the order the machine writes them.
 */
public final class ImageSections
{
    /** The machine's own fields: clock, random state, known destinations. */
    public static final int MACHINE = 0x4D41_0001;
    /** Records: pending count, created slots, free-slot stack, tombstone ring. */
    public static final int RECORDS = 0x4D41_0002;
    /** The deadline index: slot links, buckets, wheels. */
    public static final int DEADLINES = 0x4D41_0003;
    /** Destination health and parked redeliveries. */
    public static final int HEALTH = 0x4D41_0004;
    /** Streams in creation order. */
    public static final int STREAMS = 0x4D41_0005;
    /** Early acks. */
    public static final int EARLY_ACKS = 0x4D41_0006;
    /** Active leases. */
    public static final int LEASES = 0x4D41_0007;
    /** The retry queue. */
    public static final int RETRIES = 0x4D41_0008;
    /** Dead-letter queues and held and replay lists. */
    public static final int DEAD_LETTERS = 0x4D41_0009;
    /** Housekeeping cursors and the untold-replay list. */
    public static final int HOUSEKEEPING = 0x4D41_000A;
    /** The state counters. */
    public static final int COUNTERS = 0x4D41_000B;
    /** A keyed table's content. */
    public static final int TABLE = 0x4D41_000C;
    /** Client sessions: applied sequences, outboxes, the client of each owned slot. */
    public static final int SESSIONS = 0x4D41_000D;
    /** The end of the image. */
    public static final int END = 0x4D41_00FF;

    private ImageSections()
    {
    }
}

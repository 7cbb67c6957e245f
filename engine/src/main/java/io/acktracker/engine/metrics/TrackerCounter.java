package io.acktracker.engine.metrics;

/**
 * The tracker's system counters, each with a fixed type id so tools in other processes can find them in the
 * counters file. Gauges hold a level; the rest count events. The agent is the single writer of each, except those
 * marked as having shared writers, which are always written with an atomic add.
 */
public enum TrackerCounter
{
    PENDING(1, "pending messages", true),
    TOMBSTONES(2, "tombstones held", true),
    TRACKED(3, "messages tracked", false),
    COMPLETED(4, "messages completed", false),
    FAILED(5, "messages failed", false),
    EXPIRED(6, "messages expired", false),
    ACKS(7, "acks recorded", false),
    DUPLICATE_ACKS(8, "duplicate acks", false),
    ORPHAN_ACKS(9, "acks for unknown ids", false),
    LATE_ACKS(10, "acks for finished ids", false),
    SPOOFED_ACKS(11, "acks from a destination not of the message", false, true),
    CUMULATIVE_ACKS(12, "cumulative acks", false),
    CUMULATIVE_MESSAGES_ACKED(13, "messages acked by cumulative acks", false),
    DUPLICATE_TRACKS(14, "tracks refused: duplicate id", false),
    CAPACITY_EXCEEDED(15, "tracks refused: table full", false),
    INVALID_REQUESTS(16, "requests refused: invalid argument", false, true),
    BACK_PRESSURED(17, "commands refused: queue full", false, true),
    COMMANDS(18, "commands processed", false),
    TIMEOUTS(19, "ack timeouts", false),
    RECOVERED(20, "records recovered at start", false),
    OUTCOMES_REPLAYED(21, "outcomes re-notified after recovery", false),
    TOMBSTONES_EVICTED_EARLY(22, "tombstones evicted before their window", false),
    ORPHANS_REPAIRED(23, "records found without a timer and repaired", false),
    ERRORS(24, "errors", false),
    LISTENER_ERRORS(25, "listener exceptions", false),
    DUTY_CYCLES(26, "agent duty cycles", false),
    HEARTBEAT_MS(27, "agent heartbeat (epoch ms)", true),
    SNAPSHOTS(28, "snapshots taken", false),
    NACKS(29, "nacks", false),
    REJECTS(30, "rejects (poison)", false),
    RETRIES_SCHEDULED(31, "redeliveries scheduled", false),
    REDELIVERIES(32, "redeliveries sent", false),
    RETRIES_DEFERRED(33, "duty cycles that left due redeliveries for later (retry budget)", false),
    PARKED(34, "redeliveries parked behind an open circuit", false),
    RESUMED(35, "parked redeliveries resumed", false),
    DESTINATIONS_GAVE_UP(36, "destinations given up on after their last attempt", false),
    CIRCUITS_OPEN(37, "circuits not closed", true),
    CIRCUIT_TRANSITIONS(38, "circuit state changes", false),
    DLQ_SIZE(39, "dead letters held", true),
    DLQ_MOVED(40, "dead letters added", false),
    DLQ_FULL(41, "dead letters refused: queue full (message kept FAILED)", false),
    DLQ_REPLAYED(42, "dead letters replayed", false),
    DLQ_DELETED(43, "dead letters deleted", false),
    DLQ_HELD(44, "failed messages waiting for dead-letter room", true),
    ACTIVE_LEASES(45, "active leases", true),
    LEASES_GRANTED(46, "leases granted", false),
    LEASE_ACKS(47, "leases settled by ack", false),
    LEASE_NACKS(48, "leases released by nack", false),
    LEASE_EXTENSIONS(49, "lease extensions", false),
    LEASE_EXPIRIES(50, "leases expired", false),
    LEASE_REJECTS(51, "leases settled by reject", false),
    LEASE_REFUSED_ALREADY_LEASED(52, "lease refusals: already leased", false),
    LEASE_REFUSED_INVALID(53, "lease refusals: forged, altered or stale handle", false),
    LEASE_REFUSED_EXPIRED(54, "lease refusals: lease expired", false),
    LEASE_REFUSED_MAX_EXTENSIONS(55, "lease refusals: too many extensions", false),
    TORN_RECORDS_REPAIRED(56, "records whose update a crash interrupted, repaired at recovery", false),
    EARLY_ACKS_HELD(57, "acks held because their message was not tracked yet", false),
    EARLY_ACKS_APPLIED(58, "held early acks applied when their message was tracked", false),
    TRACKER_FAILED(59, "1 when the agent stopped on a fault (restart the tracker)", true),
    REFUSED_TRACKER_FAILED(60, "commands refused: the tracker failed", false, true),
    CHECKPOINTS(61, "checkpoints of the journal store completed", false),
    CHECKPOINT_PAUSE_US(62, "the agent's pause for the last checkpoint, microseconds", true),
    CHECKPOINTS_DAMAGED(63, "damaged checkpoints passed over at the start (recovered from an older one)", false),
    CHECKPOINT_AGENT_COPIES(64, "chunks of 64 records the agent copied itself during the last checkpoint " +
        "(copy-on-write; the helper copied the rest)", true),
    CLIENT_SESSIONS(70, "client sessions", true),
    SESSIONS_OPENED(71, "client sessions opened or bound again", false),
    SESSIONS_ADOPTED(72, "client sessions that claimed more applied commands than this state holds", false),
    SESSIONS_REFUSED(73, "client sessions refused: maxClients reached", false),
    UNKNOWN_CLIENT_COMMANDS(74, "numbered commands refused: client without a session", false),
    DUPLICATE_COMMANDS(75, "numbered commands already applied (resends), ignored and confirmed again", false),
    SEQUENCE_GAPS(76, "numbered commands refused: sequence gap", false),
    OUTBOX_FULL_REFUSALS(77, "numbered commands refused: the client's outbox is full", false),
    OUTBOX_ENTRIES(78, "entries written to client outboxes", false),
    OUTBOX_REDELIVERIES_NOT_KEPT(79, "redeliveries not kept in a full outbox (the next timeout redelivers)", false),
    DLQ_EVICTED(80, "oldest dead letters removed from a full queue to make room (dlqEvictOldest)", false);

    /** Counter type id shared by every acktracker counter; the key holds the {@link #id()}. */
    public static final int TYPE_ID = 0x41434B00;

    private final int id;
    private final String label;
    private final boolean gauge;
    private final boolean sharedWriters;

    TrackerCounter(final int id, final String label, final boolean gauge)
    {
        this(id, label, gauge, false);
    }

    TrackerCounter(final int id, final String label, final boolean gauge, final boolean sharedWriters)
    {
        this.id = id;
        this.label = label;
        this.gauge = gauge;
        this.sharedWriters = sharedWriters;
    }

    /**
     * Whether threads other than the agent write this counter too (refusals on the caller's thread), so every write
     * must be an atomic add.
     *
     * @return true when shared.
     */
    public boolean hasSharedWriters()
    {
        return sharedWriters;
    }

    /**
     * The counter with an id.
     *
     * @param id a counter's {@link #id()}.
     * @return the counter.
     * @throws IllegalArgumentException when no counter has it.
     */
    public static TrackerCounter byId(final int id)
    {
        for (final TrackerCounter counter : values())
        {
            if (counter.id == id)
            {
                return counter;
            }
        }
        throw new IllegalArgumentException("no counter has id " + id);
    }

    /**
     * Stable id, stored as the counter's key.
     *
     * @return the id.
     */
    public int id()
    {
        return id;
    }

    public String label()
    {
        return label;
    }

    /**
     * Whether the counter is a level rather than an event count.
     *
     * @return true for a gauge.
     */
    public boolean isGauge()
    {
        return gauge;
    }
}

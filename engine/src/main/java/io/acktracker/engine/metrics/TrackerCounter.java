package io.acktracker.engine.metrics;

/**
 * The tracker's system counters, each with a fixed type id so tools in other processes can find them in the
 * counters file. Gauges hold a level; the rest count events. The agent is the single writer of each, except those
 * marked as having shared writers, which are always written with an atomic add.
 */
public enum TrackerCounter
{
    /** Pending messages (a gauge). */
    PENDING(1, "pending messages", true),
    /** Tombstones held (a gauge). */
    TOMBSTONES(2, "tombstones held", true),
    /** Messages tracked. */
    TRACKED(3, "messages tracked", false),
    /** Messages completed. */
    COMPLETED(4, "messages completed", false),
    /** Messages failed. */
    FAILED(5, "messages failed", false),
    /** Messages expired. */
    EXPIRED(6, "messages expired", false),
    /** Acks recorded. */
    ACKS(7, "acks recorded", false),
    /** Duplicate acks. */
    DUPLICATE_ACKS(8, "duplicate acks", false),
    /** Acks for unknown ids. */
    ORPHAN_ACKS(9, "acks for unknown ids", false),
    /** Acks for finished ids. */
    LATE_ACKS(10, "acks for finished ids", false),
    /** Acks from a destination not of the message. */
    SPOOFED_ACKS(11, "acks from a destination not of the message", false, true),
    /** Cumulative acks. */
    CUMULATIVE_ACKS(12, "cumulative acks", false),
    /** Messages acked by cumulative acks. */
    CUMULATIVE_MESSAGES_ACKED(13, "messages acked by cumulative acks", false),
    /** Tracks refused: duplicate id. */
    DUPLICATE_TRACKS(14, "tracks refused: duplicate id", false),
    /** Tracks refused: table full. */
    CAPACITY_EXCEEDED(15, "tracks refused: table full", false),
    /** Requests refused: invalid argument. */
    INVALID_REQUESTS(16, "requests refused: invalid argument", false, true),
    /** Commands refused: queue full. */
    BACK_PRESSURED(17, "commands refused: queue full", false, true),
    /** Commands processed. */
    COMMANDS(18, "commands processed", false),
    /** Ack timeouts. */
    TIMEOUTS(19, "ack timeouts", false),
    /** Records recovered at start. */
    RECOVERED(20, "records recovered at start", false),
    /** Outcomes re-notified after recovery. */
    OUTCOMES_REPLAYED(21, "outcomes re-notified after recovery", false),
    /** Tombstones evicted before their window. */
    TOMBSTONES_EVICTED_EARLY(22, "tombstones evicted before their window", false),
    /** Records found without a timer and repaired. */
    ORPHANS_REPAIRED(23, "records found without a timer and repaired", false),
    /** Errors. */
    ERRORS(24, "errors", false),
    /** Listener exceptions. */
    LISTENER_ERRORS(25, "listener exceptions", false),
    /** Agent duty cycles. */
    DUTY_CYCLES(26, "agent duty cycles", false),
    /** Agent heartbeat (epoch ms) (a gauge). */
    HEARTBEAT_MS(27, "agent heartbeat (epoch ms)", true),
    /** Snapshots taken. */
    SNAPSHOTS(28, "snapshots taken", false),
    /** Nacks. */
    NACKS(29, "nacks", false),
    /** Rejects (poison). */
    REJECTS(30, "rejects (poison)", false),
    /** Redeliveries scheduled. */
    RETRIES_SCHEDULED(31, "redeliveries scheduled", false),
    /** Redeliveries sent. */
    REDELIVERIES(32, "redeliveries sent", false),
    /** Duty cycles that left due redeliveries for later (retry budget). */
    RETRIES_DEFERRED(33, "duty cycles that left due redeliveries for later (retry budget)", false),
    /** Redeliveries parked behind an open circuit. */
    PARKED(34, "redeliveries parked behind an open circuit", false),
    /** Parked redeliveries resumed. */
    RESUMED(35, "parked redeliveries resumed", false),
    /** Destinations given up on after their last attempt. */
    DESTINATIONS_GAVE_UP(36, "destinations given up on after their last attempt", false),
    /** Circuits not closed (a gauge). */
    CIRCUITS_OPEN(37, "circuits not closed", true),
    /** Circuit state changes. */
    CIRCUIT_TRANSITIONS(38, "circuit state changes", false),
    /** Dead letters held (a gauge). */
    DLQ_SIZE(39, "dead letters held", true),
    /** Dead letters added. */
    DLQ_MOVED(40, "dead letters added", false),
    /** Dead letters refused: queue full (message kept FAILED). */
    DLQ_FULL(41, "dead letters refused: queue full (message kept FAILED)", false),
    /** Dead letters replayed. */
    DLQ_REPLAYED(42, "dead letters replayed", false),
    /** Dead letters deleted. */
    DLQ_DELETED(43, "dead letters deleted", false),
    /** Failed messages waiting for dead-letter room (a gauge). */
    DLQ_HELD(44, "failed messages waiting for dead-letter room", true),
    /** Active leases (a gauge). */
    ACTIVE_LEASES(45, "active leases", true),
    /** Leases granted. */
    LEASES_GRANTED(46, "leases granted", false),
    /** Leases settled by ack. */
    LEASE_ACKS(47, "leases settled by ack", false),
    /** Leases released by nack. */
    LEASE_NACKS(48, "leases released by nack", false),
    /** Lease extensions. */
    LEASE_EXTENSIONS(49, "lease extensions", false),
    /** Leases expired. */
    LEASE_EXPIRIES(50, "leases expired", false),
    /** Leases settled by reject. */
    LEASE_REJECTS(51, "leases settled by reject", false),
    /** Lease refusals: already leased. */
    LEASE_REFUSED_ALREADY_LEASED(52, "lease refusals: already leased", false),
    /** Lease refusals: forged, altered or stale handle. */
    LEASE_REFUSED_INVALID(53, "lease refusals: forged, altered or stale handle", false),
    /** Lease refusals: lease expired. */
    LEASE_REFUSED_EXPIRED(54, "lease refusals: lease expired", false),
    /** Lease refusals: too many extensions. */
    LEASE_REFUSED_MAX_EXTENSIONS(55, "lease refusals: too many extensions", false),
    /** Records whose update a crash interrupted, repaired at recovery. */
    TORN_RECORDS_REPAIRED(56, "records whose update a crash interrupted, repaired at recovery", false),
    /** Acks held because their message was not tracked yet. */
    EARLY_ACKS_HELD(57, "acks held because their message was not tracked yet", false),
    /** Held early acks applied when their message was tracked. */
    EARLY_ACKS_APPLIED(58, "held early acks applied when their message was tracked", false),
    /** 1 when the agent stopped on a fault (restart the tracker) (a gauge). */
    TRACKER_FAILED(59, "1 when the agent stopped on a fault (restart the tracker)", true),
    /** Commands refused: the tracker failed. */
    REFUSED_TRACKER_FAILED(60, "commands refused: the tracker failed", false, true),
    /** Checkpoints of the journal store completed. */
    CHECKPOINTS(61, "checkpoints of the journal store completed", false),
    /** The agent's pause for the last checkpoint, microseconds (a gauge). */
    CHECKPOINT_PAUSE_US(62, "the agent's pause for the last checkpoint, microseconds", true),
    /** Damaged checkpoints passed over at the start (recovered from an older one). */
    CHECKPOINTS_DAMAGED(63, "damaged checkpoints passed over at the start (recovered from an older one)", false),
    /**
     * Chunks of 64 records the agent copied itself during the last checkpoint (copy-on-write; the helper copied the
     * rest) (a gauge).
     */
    CHECKPOINT_AGENT_COPIES(64, "chunks of 64 records the agent copied itself during the last checkpoint " +
        "(copy-on-write; the helper copied the rest)", true),
    /** Client sessions (a gauge). */
    CLIENT_SESSIONS(70, "client sessions", true),
    /** Client sessions opened or bound again. */
    SESSIONS_OPENED(71, "client sessions opened or bound again", false),
    /** Client sessions that claimed more applied commands than this state holds. */
    SESSIONS_ADOPTED(72, "client sessions that claimed more applied commands than this state holds", false),
    /** Client sessions refused: maxClients reached. */
    SESSIONS_REFUSED(73, "client sessions refused: maxClients reached", false),
    /** Numbered commands refused: client without a session. */
    UNKNOWN_CLIENT_COMMANDS(74, "numbered commands refused: client without a session", false),
    /** Numbered commands already applied (resends), ignored and confirmed again. */
    DUPLICATE_COMMANDS(75, "numbered commands already applied (resends), ignored and confirmed again", false),
    /** Numbered commands refused: sequence gap. */
    SEQUENCE_GAPS(76, "numbered commands refused: sequence gap", false),
    /** Numbered commands refused: the client's outbox is full. */
    OUTBOX_FULL_REFUSALS(77, "numbered commands refused: the client's outbox is full", false),
    /** Entries written to client outboxes. */
    OUTBOX_ENTRIES(78, "entries written to client outboxes", false),
    /** Redeliveries not kept in a full outbox (the next timeout redelivers). */
    OUTBOX_REDELIVERIES_NOT_KEPT(79, "redeliveries not kept in a full outbox (the next timeout redelivers)", false),
    /** Oldest dead letters removed from a full queue to make room (dlqEvictOldest). */
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

    /**
     * The counter's label, as tools show it.
     *
     * @return the label.
     */
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

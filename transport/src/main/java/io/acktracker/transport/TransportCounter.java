package io.acktracker.transport;

/**
 * The transport's system counters, each with a fixed id kept as the counter's key (type id {@link #TYPE_ID}), so
 * tools in other processes can find them in the transport counters file. Gauges hold a level; the rest count events.
 * <p>
 * Ids are never reused: 19 (tracks with fields the engine could not apply) and 44 (HTTP requests answered "not
 * supported") are retired now that the engine applies everything the protocol carries.
 */
public enum TransportCounter
{
    FRAMES_RECEIVED(1, "inbound frames received", false),
    MALFORMED_FRAMES(2, "inbound frames malformed (all reasons)", false),
    MALFORMED_SHORT(3, "malformed: shorter than its header or block", false),
    MALFORMED_SCHEMA(4, "malformed: wrong schema id", false),
    MALFORMED_VERSION(5, "malformed: unsupported schema version", false),
    MALFORMED_TEMPLATE(6, "malformed: unknown template id", false),
    MALFORMED_GROUP(7, "malformed: bad group count or entry length", false),
    MALFORMED_STRING(8, "malformed: text or data over its bound", false),
    MALFORMED_FIELD(9, "malformed: field value out of range", false),
    MALFORMED_FRAGMENTED(10, "malformed: fragmented frame", false),
    HELLOS(11, "destination hellos bound", false),
    HELLOS_REFUSED(12, "destination hellos refused", false),
    BOUND_SESSIONS(13, "sessions bound to a destination", true),
    DESTINATION_RECONNECTS(14, "bound sessions seen again on a new image", false),
    UNBOUND_REFUSED(15, "commands refused: session sent no hello", false),
    SPOOFED_REFUSED(16, "commands refused: destination not the session's", false),
    TRACKS_RECEIVED(17, "tracks received", false),
    TRACKS_REFUSED(18, "tracks refused by the tracker", false),
    ACKS_RECEIVED(20, "acks received", false),
    CUMULATIVE_ACKS_RECEIVED(21, "cumulative acks received", false),
    NACKS_RECEIVED(22, "nacks received", false),
    REJECTS_RECEIVED(23, "rejects received", false),
    LEASE_COMMANDS_RECEIVED(24, "lease, extend and settle commands received", false),
    NOT_SUPPORTED(25, "commands of retired templates, answered not supported", false),
    IMAGES_AVAILABLE(26, "inbound images available", false),
    IMAGES_UNAVAILABLE(27, "inbound images unavailable (publisher gone)", false),
    OUTCOMES_SENT(28, "outcomes published", false),
    REDELIVERS_SENT(29, "redeliver requests published", false),
    REFUSALS_SENT(30, "refusals published", false),
    OUTBOUND_RETRIES(31, "outbound offers retried in the duty cycle", false),
    OUTBOUND_BACKLOGGED(32, "outbound frames put in the backlog", false),
    BACKLOG_BYTES(33, "outbound backlog bytes", true),
    BACKLOG_FRAMES(34, "outbound backlog frames", true),
    BACKLOG_GROWTHS(35, "outbound backlog grown past its cap", false),
    INBOUND_PAUSES(36, "inbound polling paused: backlog at its cap", false),
    OUTBOUND_NO_SUBSCRIBER(37, "outbound frames with no subscriber connected", false),
    OUTBOUND_ERRORS(38, "outbound offers failed: publication closed or full", false),
    OUTBOUND_LOST_AT_CLOSE(39, "outbound frames still in the backlog at close", false),
    ERRORS(40, "transport errors", false),
    HTTP_REQUESTS(41, "http requests", false),
    HTTP_REFUSED(42, "http requests answered 4xx/5xx", false),
    LEASES_GRANTED_SENT(43, "lease grants published", false),
    LEASE_COMMANDS_REFUSED(45, "lease, extend and settle commands refused by the tracker", false),
    COMMANDS_REFUSED(46, "nacks, rejects and acks refused by the tracker for other than at-least-once reasons", false),
    HTTP_UNAUTHORIZED(47, "http requests refused 401: missing or wrong bearer token", false),
    HTTP_FORBIDDEN(48, "http requests refused 421/403: Host or Origin not allowed", false),
    HTTP_OVERLOADED(49, "http requests over the worker queue: answered 503 or closed", false),
    HTTP_TIMEOUTS(50, "http connections closed: request not read or response not taken in time", false),
    ADMIN_COMMANDS(51, "admin commands accepted: signed with the service's secret, counter fresh", false),
    ADMIN_REFUSED(52, "admin commands refused (all reasons)", false),
    ADMIN_UNSIGNED(53, "admin refused: not signed (an older tool, or no secret)", false),
    ADMIN_BAD_SIGNATURE(54, "admin refused: signature does not match the service's secret and nonce", false),
    ADMIN_REPLAYED(55, "admin refused: counter not above the last accepted (replayed or stale)", false),
    ADMIN_MALFORMED(56, "admin refused: not an admin frame", false),
    HELLO_CHALLENGES(57, "destination hello challenges published", false),
    HELLOS_AUTHENTICATED(58, "destination hellos bound by a valid credential", false),
    HELLOS_NO_CREDENTIAL(59, "hellos refused: destination has a key, hello carries no credential", false),
    HELLOS_BAD_CREDENTIAL(60, "hellos refused: wrong credential, or no challenge outstanding", false),
    OUTBOUND_STALLS(61, "outbound stalls: publication back pressured longer than outbound.stall.timeout", false),
    OUTBOUND_STALLED(62, "outbound publication stalled now (1) or not (0)", true),
    SESSION_OPENS(70, "client sessions opened or bound again over Aeron", false),
    SESSION_OPENS_REFUSED(71, "client session opens refused (maxClients reached, bad numbers)", false),
    NUMBERED_COMMANDS(72, "numbered client commands received", false),
    SESSION_REFUSALS_SENT(73, "numbered commands answered at once: gap, unknown client, full outbox", false),
    SESSION_CONFIRMS_SENT(74, "session confirmations published (one per client per duty cycle with work)", false),
    OUTBOX_ENTRIES_SENT(75, "client outbox entries published (first sends and resends)", false),
    OUTBOX_SEND_DEFERRED(76, "outbox sends deferred to a later duty cycle (back pressure, no subscriber)", false),
    HTTP_IDEMPOTENT_REPLAYS(77, "http requests answered again from their Idempotency-Key, not applied again", false);

    /** Counter type id of every transport counter; the key holds the {@link #id()}. */
    public static final int TYPE_ID = 0x41434B01;

    private final int id;
    private final String label;
    private final boolean gauge;

    TransportCounter(final int id, final String label, final boolean gauge)
    {
        this.id = id;
        this.label = label;
        this.gauge = gauge;
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
     * What the counter counts.
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

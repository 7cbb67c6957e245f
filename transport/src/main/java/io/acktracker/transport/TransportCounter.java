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
    /** Inbound frames received. */
    FRAMES_RECEIVED(1, "inbound frames received", false),
    /** Inbound frames malformed (all reasons). */
    MALFORMED_FRAMES(2, "inbound frames malformed (all reasons)", false),
    /** Malformed: shorter than its header or block. */
    MALFORMED_SHORT(3, "malformed: shorter than its header or block", false),
    /** Malformed: wrong schema id. */
    MALFORMED_SCHEMA(4, "malformed: wrong schema id", false),
    /** Malformed: unsupported schema version. */
    MALFORMED_VERSION(5, "malformed: unsupported schema version", false),
    /** Malformed: unknown template id. */
    MALFORMED_TEMPLATE(6, "malformed: unknown template id", false),
    /** Malformed: bad group count or entry length. */
    MALFORMED_GROUP(7, "malformed: bad group count or entry length", false),
    /** Malformed: text or data over its bound. */
    MALFORMED_STRING(8, "malformed: text or data over its bound", false),
    /** Malformed: field value out of range. */
    MALFORMED_FIELD(9, "malformed: field value out of range", false),
    /** Malformed: fragmented frame. */
    MALFORMED_FRAGMENTED(10, "malformed: fragmented frame", false),
    /** Destination hellos bound. */
    HELLOS(11, "destination hellos bound", false),
    /** Destination hellos refused. */
    HELLOS_REFUSED(12, "destination hellos refused", false),
    /** Sessions bound to a destination (a gauge). */
    BOUND_SESSIONS(13, "sessions bound to a destination", true),
    /** Bound sessions seen again on a new image. */
    DESTINATION_RECONNECTS(14, "bound sessions seen again on a new image", false),
    /** Commands refused: session sent no hello. */
    UNBOUND_REFUSED(15, "commands refused: session sent no hello", false),
    /** Commands refused: destination not the session's. */
    SPOOFED_REFUSED(16, "commands refused: destination not the session's", false),
    /** Tracks received. */
    TRACKS_RECEIVED(17, "tracks received", false),
    /** Tracks refused by the tracker. */
    TRACKS_REFUSED(18, "tracks refused by the tracker", false),
    /** Acks received. */
    ACKS_RECEIVED(20, "acks received", false),
    /** Cumulative acks received. */
    CUMULATIVE_ACKS_RECEIVED(21, "cumulative acks received", false),
    /** Nacks received. */
    NACKS_RECEIVED(22, "nacks received", false),
    /** Rejects received. */
    REJECTS_RECEIVED(23, "rejects received", false),
    /** Lease, extend and settle commands received. */
    LEASE_COMMANDS_RECEIVED(24, "lease, extend and settle commands received", false),
    /** Commands of retired templates, answered not supported. */
    NOT_SUPPORTED(25, "commands of retired templates, answered not supported", false),
    /** Inbound images available. */
    IMAGES_AVAILABLE(26, "inbound images available", false),
    /** Inbound images unavailable (publisher gone). */
    IMAGES_UNAVAILABLE(27, "inbound images unavailable (publisher gone)", false),
    /** Outcomes published. */
    OUTCOMES_SENT(28, "outcomes published", false),
    /** Redeliver requests published. */
    REDELIVERS_SENT(29, "redeliver requests published", false),
    /** Refusals published. */
    REFUSALS_SENT(30, "refusals published", false),
    /** Outbound offers retried in the duty cycle. */
    OUTBOUND_RETRIES(31, "outbound offers retried in the duty cycle", false),
    /** Outbound frames put in the backlog. */
    OUTBOUND_BACKLOGGED(32, "outbound frames put in the backlog", false),
    /** Outbound backlog bytes (a gauge). */
    BACKLOG_BYTES(33, "outbound backlog bytes", true),
    /** Outbound backlog frames (a gauge). */
    BACKLOG_FRAMES(34, "outbound backlog frames", true),
    /** Outbound backlog grown past its cap. */
    BACKLOG_GROWTHS(35, "outbound backlog grown past its cap", false),
    /** Inbound polling paused: backlog at its cap. */
    INBOUND_PAUSES(36, "inbound polling paused: backlog at its cap", false),
    /** Outbound frames with no subscriber connected. */
    OUTBOUND_NO_SUBSCRIBER(37, "outbound frames with no subscriber connected", false),
    /** Outbound offers failed: publication closed or full. */
    OUTBOUND_ERRORS(38, "outbound offers failed: publication closed or full", false),
    /** Outbound frames still in the backlog at close. */
    OUTBOUND_LOST_AT_CLOSE(39, "outbound frames still in the backlog at close", false),
    /** Transport errors. */
    ERRORS(40, "transport errors", false),
    /** Http requests. */
    HTTP_REQUESTS(41, "http requests", false),
    /** Http requests answered 4xx/5xx. */
    HTTP_REFUSED(42, "http requests answered 4xx/5xx", false),
    /** Lease grants published. */
    LEASES_GRANTED_SENT(43, "lease grants published", false),
    /** Lease, extend and settle commands refused by the tracker. */
    LEASE_COMMANDS_REFUSED(45, "lease, extend and settle commands refused by the tracker", false),
    /** Nacks, rejects and acks refused by the tracker for other than at-least-once reasons. */
    COMMANDS_REFUSED(46, "nacks, rejects and acks refused by the tracker for other than at-least-once reasons", false),
    /** Http requests refused 401: missing or wrong bearer token. */
    HTTP_UNAUTHORIZED(47, "http requests refused 401: missing or wrong bearer token", false),
    /** Http requests refused 421/403: Host or Origin not allowed. */
    HTTP_FORBIDDEN(48, "http requests refused 421/403: Host or Origin not allowed", false),
    /** Http requests over the worker queue: answered 503 or closed. */
    HTTP_OVERLOADED(49, "http requests over the worker queue: answered 503 or closed", false),
    /** Http connections closed: request not read or response not taken in time. */
    HTTP_TIMEOUTS(50, "http connections closed: request not read or response not taken in time", false),
    /** Admin commands accepted: signed with the service's secret, counter fresh. */
    ADMIN_COMMANDS(51, "admin commands accepted: signed with the service's secret, counter fresh", false),
    /** Admin commands refused (all reasons). */
    ADMIN_REFUSED(52, "admin commands refused (all reasons)", false),
    /** Admin refused: not signed (an older tool, or no secret). */
    ADMIN_UNSIGNED(53, "admin refused: not signed (an older tool, or no secret)", false),
    /** Admin refused: signature does not match the service's secret and nonce. */
    ADMIN_BAD_SIGNATURE(54, "admin refused: signature does not match the service's secret and nonce", false),
    /** Admin refused: counter not above the last accepted (replayed or stale). */
    ADMIN_REPLAYED(55, "admin refused: counter not above the last accepted (replayed or stale)", false),
    /** Admin refused: not an admin frame. */
    ADMIN_MALFORMED(56, "admin refused: not an admin frame", false),
    /** Destination hello challenges published. */
    HELLO_CHALLENGES(57, "destination hello challenges published", false),
    /** Destination hellos bound by a valid credential. */
    HELLOS_AUTHENTICATED(58, "destination hellos bound by a valid credential", false),
    /** Hellos refused: destination has a key, hello carries no credential. */
    HELLOS_NO_CREDENTIAL(59, "hellos refused: destination has a key, hello carries no credential", false),
    /** Hellos refused: wrong credential, or no challenge outstanding. */
    HELLOS_BAD_CREDENTIAL(60, "hellos refused: wrong credential, or no challenge outstanding", false),
    /** Outbound stalls: publication back pressured longer than outbound.stall.timeout. */
    OUTBOUND_STALLS(61, "outbound stalls: publication back pressured longer than outbound.stall.timeout", false),
    /** Outbound publication stalled now (1) or not (0) (a gauge). */
    OUTBOUND_STALLED(62, "outbound publication stalled now (1) or not (0)", true),
    /** Client sessions opened or bound again over Aeron. */
    SESSION_OPENS(70, "client sessions opened or bound again over Aeron", false),
    /** Client session opens refused (maxClients reached, bad numbers). */
    SESSION_OPENS_REFUSED(71, "client session opens refused (maxClients reached, bad numbers)", false),
    /** Numbered client commands received. */
    NUMBERED_COMMANDS(72, "numbered client commands received", false),
    /** Numbered commands answered at once: gap, unknown client, full outbox. */
    SESSION_REFUSALS_SENT(73, "numbered commands answered at once: gap, unknown client, full outbox", false),
    /** Session confirmations published (one per client per duty cycle with work). */
    SESSION_CONFIRMS_SENT(74, "session confirmations published (one per client per duty cycle with work)", false),
    /** Client outbox entries published (first sends and resends). */
    OUTBOX_ENTRIES_SENT(75, "client outbox entries published (first sends and resends)", false),
    /** Outbox sends deferred to a later duty cycle (back pressure, no subscriber). */
    OUTBOX_SEND_DEFERRED(76, "outbox sends deferred to a later duty cycle (back pressure, no subscriber)", false),
    /** Http requests answered again from their Idempotency-Key, not applied again. */
    HTTP_IDEMPOTENT_REPLAYS(77, "http requests answered again from their Idempotency-Key, not applied again", false),
    /** Client session challenges published (answers to a SessionOpen asking for one). */
    SESSION_CHALLENGES(78, "client session challenges published", false),
    /** Client session opens accepted with a valid credential (the client has a key). */
    SESSION_OPENS_AUTHENTICATED(79, "client session opens accepted with a valid credential", false),
    /** Session opens refused: the client has a key, the open carries no credential. */
    SESSION_OPENS_NO_CREDENTIAL(80, "session opens refused: client has a key, open carries no credential", false),
    /** Session opens refused: wrong credential, or no challenge outstanding. */
    SESSION_OPENS_BAD_CREDENTIAL(81, "session opens refused: wrong credential, or no challenge outstanding", false),
    /** Numbered commands and outbox confirms refused: client has a key, not from the image that proved it. */
    CLIENT_COMMANDS_UNAUTHENTICATED(82,
        "numbered commands and outbox confirms refused: client has a key, not from the image that proved it", false),
    /**
     * Numbered commands and outbox confirms refused: not from the image the client's session was last opened from
     * (a killed predecessor's frames still draining, or a second process with the same client id).
     */
    CLIENT_COMMANDS_FROM_ANOTHER_IMAGE(83,
        "numbered commands and outbox confirms refused: not from the image the client's session was opened from",
        false);

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

package io.acktracker.transport.service;

import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.transport.TransportConfig;
import io.acktracker.transport.http.HttpEdgeConfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Every key of the standalone service, in the order of the reference ({@code transport/CONFIG.md}): name, type,
 * help, and the accessor pair on the config object that owns it. No default is written here; each is read from that
 * object's fresh instance ({@link ConfigKey#defaultText()}). A setting of {@link TrackerConfig}, {@link
 * TransportConfig} or {@link HttpEdgeConfig} the service does not offer is either the service's to decide (files in
 * the data directory, clocks, listeners, the error handler) or named in {@link #NOT_KEYS}.
 * <p>
 * Threading: any thread; built once, immutable.
 */
final class ServiceKeys
{
    /** The prefix of the message classes' keys. */
    static final String CLASSES = "message.classes";

    /** Settings of the config objects that are not keys, and why: printed in the reference. */
    static final String NOT_KEYS = "Not keys: the clocks, listeners, error handler, extensions and waiter executor " +
        "(an embedder's code, not settings); the counters and error log files (always in `data.dir`, or in a " +
        "private run directory without one); the lease secret (`lease.key` in `data.dir`, made at first start; a " +
        "new one per run without one); `TrackerConfig.dataDir` and `journal` (`data.dir` and `store`); " +
        "`TransportConfig.aeron` and `aeronDirectoryName` (the service makes its own client: `driver`, " +
        "`driver.dir`).";

    /** {@code capacity} (the engine's -1: as many as the capacity) or a number. */
    private static final ValueType<Integer> TOMBSTONES = ValueType.tombstones();
    private static final List<ConfigKey<?>> KEYS = new ArrayList<>();
    private static final Map<String, ConfigKey<?>> BY_NAME = new LinkedHashMap<>();
    private static String section;

    static
    {
        section = "Service";
        key("name", ValueType.STRING, "tracker name: counter labels and thread names", null,
            (t, id) -> t.tracker.name(), (t, id, v) ->
            {
                t.tracker.name(v);
                t.transport.name(v);
                t.http.name(v);
            });
        service("data.dir", ValueType.PATH, (o) -> o.dataDir, (o, v) -> o.dataDir = v,
            "directory for the persisted state, counters and error logs; none keeps everything in memory");
        service("store", ValueType.oneOf(ServiceOptions.Store.class), (o) -> o.store, (o, v) -> o.store = v,
            "journal (state in memory, every command appended to a journal in data.dir, checkpoints, replayed at " +
            "start: what exactly once across restarts needs), tables (records written in place in data.dir), or " +
            "auto: the kind an existing data.dir holds, journal for a new one");
        service("idle.strategy", ValueType.oneOf(ServiceOptions.Idle.class), (o) -> o.idleStrategy,
            (o, v) -> o.idleStrategy = v, "tracker thread idle strategy");
        service("driver", ValueType.oneOf(ServiceOptions.Driver.class), (o) -> o.driver, (o, v) -> o.driver = v,
            "embedded (own media driver) or external (the driver at driver.dir, else -Daeron.dir)");
        service("driver.dir", ValueType.PATH, (o) -> o.driverDir, (o, v) -> o.driverDir = v,
            "external driver: its Aeron directory (default Aeron's: -Daeron.dir, else /dev/shm/aeron-USER)");
        service("driver.threading", ValueType.oneOf(ServiceOptions.Threading.class), (o) -> o.driverThreading,
            (o, v) -> o.driverThreading = v, "embedded driver threading");
        service("driver.term.length", ValueType.BYTES, (o) -> o.driverTermLength, (o, v) -> o.driverTermLength = v,
            "embedded driver term length for IPC and UDP publications (a power of two, 64k..1g)");
        service("driver.client.liveness.timeout", ValueType.DURATION, (o) -> o.driverClientLivenessNs,
            (o, v) -> o.driverClientLivenessNs = v, "embedded driver: how long a client process that stopped " +
            "sending keep-alives (killed, or paused) keeps its publications and subscriptions; a killed client's " +
            "subscription, once a window of the stream it read is unread, holds that stream back up to that long " +
            "(on IPC a killed destination holds every outcome), and a live one paused longer is cut off (2s..1h)");
        service("expected.rate", ValueType.INT, (o) -> o.expectedRate, (o, v) -> o.expectedRate = v,
            "messages per second the service is sized for (0: not stated); at start, one warning when " +
            "tombstone.capacity cannot hold tombstone.window at this rate");

        section = "Tracker";
        tracker("capacity", ValueType.INT, TrackerConfig::capacity, TrackerConfig::capacity,
            "most pending messages; a Track beyond it is refused CAPACITY_EXCEEDED (fixed when the tables are made)");
        key("tombstone.capacity", TOMBSTONES, "most finished ids remembered for tombstone.window; when full the " +
            "oldest is forgotten early (counter TOMBSTONES_EVICTED_EARLY, one warning): needs at least rate x " +
            "window, see expected.rate. `capacity` means the same number as capacity", null,
            (t, id) -> t.tracker.tombstoneCapacity(), (t, id, v) -> t.tracker.tombstoneCapacity(v));
        tracker("tombstone.window", ValueType.DURATION, TrackerConfig::tombstoneWindowNs,
            TrackerConfig::tombstoneWindowNs, "how long finished ids are remembered (duplicate Tracks refused, late " +
            "acks told from unknown ones); 0 forgets at once");
        tracker("ack.timeout", ValueType.DURATION, TrackerConfig::defaultAckTimeoutNs,
            TrackerConfig::defaultAckTimeoutNs, "default per-attempt ack timeout");
        tracker("ttl", ValueType.DURATION, TrackerConfig::defaultTtlNs, TrackerConfig::defaultTtlNs,
            "default time to live");
        tracker("priority", ValueType.INT, TrackerConfig::defaultPriority, TrackerConfig::defaultPriority,
            "default retry priority (-128..127, higher first)");
        tracker("destinations", ValueType.LIST, TrackerConfig::destinations,
            (c, v) -> c.destinations(v.toArray(new String[0])),
            "destination names to register up front (comma separated), ids in that order");
        tracker("registry.open", ValueType.BOOLEAN, TrackerConfig::openRegistry, TrackerConfig::openRegistry,
            "register unknown destination names on first use");
        key("early.ack.window", ValueType.DURATION, "hold an ack that overtook its Track (another session) this " +
            "long (the service's default; the engine's is 0)", null, (t, id) -> t.tracker.earlyAckWindowNs(),
            (t, id, v) -> t.tracker.earlyAckWindowNs(v));
        tracker("early.ack.capacity", ValueType.INT, TrackerConfig::earlyAckCapacity,
            TrackerConfig::earlyAckCapacity, "most message ids with early acks held at once");
        tracker("max.metadata.length", ValueType.INT, TrackerConfig::maxMetadataLength,
            TrackerConfig::maxMetadataLength, "longest metadata a Track may carry, bytes (0..16384)");
        tracker("record.attempt.history", ValueType.BOOLEAN, TrackerConfig::recordAttemptHistory,
            TrackerConfig::recordAttemptHistory, "keep each timeout, nack, reject and redelivery in the message's " +
            "attempt history (a write on the retry path)");
        tracker("record.service.time", ValueType.BOOLEAN, TrackerConfig::recordServiceTime,
            TrackerConfig::recordServiceTime, "time every command on the agent (two clock reads per command)");
        tracker("command.buffer.length", ValueType.INT_BYTES, TrackerConfig::commandBufferLength,
            TrackerConfig::commandBufferLength, "queue of commands from other threads (HTTP, admin), a power of " +
            "two >= 4k");
        tracker("command.limit", ValueType.INT, TrackerConfig::commandLimit, TrackerConfig::commandLimit,
            "most queued commands drained per duty cycle");
        tracker("command.prefetch", ValueType.BOOLEAN, TrackerConfig::prefetchCommands,
            TrackerConfig::prefetchCommands, "touch the records of a batch of queued commands before applying them " +
            "(see BENCHMARKS.md)");
        tracker("timer.budget", ValueType.INT, TrackerConfig::timerBudget, TrackerConfig::timerBudget,
            "most deadlines handled per duty cycle");
        tracker("housekeeping.budget", ValueType.INT, TrackerConfig::housekeepingBudget,
            TrackerConfig::housekeepingBudget, "most housekeeping steps (tombstone removal, cumulative acks, orphan " +
            "checks) per duty cycle");
        tracker("orphan.check.interval", ValueType.DURATION, TrackerConfig::orphanCheckIntervalNs,
            TrackerConfig::orphanCheckIntervalNs, "how often records no index points to are looked for");
        key("random.seed", ValueType.LONG, "seed of the retry jitter; set it to replay a run exactly",
            "random (a new seed per start)", (t, id) -> t.tracker.randomSeed(), (t, id, v) -> t.tracker.randomSeed(v));

        section = "Retries and backoff";
        tracker("max.attempts", ValueType.INT, TrackerConfig::defaultMaxAttempts, TrackerConfig::defaultMaxAttempts,
            "attempts per destination for messages of no class, the first send included (1..15; 1: no retries)");
        backoff("backoff.", null);
        tracker("retry.budget", ValueType.INT, TrackerConfig::retryBudget, TrackerConfig::retryBudget,
            "most redeliveries per duty cycle, highest priority first (a retry storm cannot starve acks)");

        section = "Circuit breaker (per destination)";
        circuit("circuit.consecutive.failures", ValueType.INT, (c) -> c.consecutiveFailures,
            (c, v) -> c.consecutiveFailures = v, "open after this many failures in a row (timeouts, nacks, rejects)");
        circuit("circuit.failure.rate", ValueType.DOUBLE, (c) -> c.failureRateThreshold,
            (c, v) -> c.failureRateThreshold = v, "or open when the failure rate over the window reaches this (0..1]");
        circuit("circuit.window.size", ValueType.INT, (c) -> c.windowSize, (c, v) -> c.windowSize = v,
            "outcomes in the sliding window (1..1024)");
        circuit("circuit.minimum.samples", ValueType.INT, (c) -> c.minimumSamples, (c, v) -> c.minimumSamples = v,
            "outcomes needed in the window before the rate counts");
        circuit("circuit.open.cooldown", ValueType.DURATION, (c) -> c.openCooldownNs, (c, v) -> c.openCooldownNs = v,
            "time OPEN before probing");
        circuit("circuit.half.open.probes", ValueType.INT, (c) -> c.halfOpenProbes, (c, v) -> c.halfOpenProbes = v,
            "redeliveries let through while HALF_OPEN");
        circuit("circuit.successes.to.close", ValueType.INT, (c) -> c.successesToClose,
            (c, v) -> c.successesToClose = v, "successful probes that close the circuit");
        circuit("circuit.ewma.alpha", ValueType.DOUBLE, (c) -> c.ewmaAlpha, (c, v) -> c.ewmaAlpha = v,
            "weight of a new sample in the ack latency average (0..1]");

        section = "Dead letters";
        tracker("dlq.capacity", ValueType.INT, TrackerConfig::dlqCapacity, TrackerConfig::dlqCapacity,
            "most dead letters per dead-letter queue (one per stream plus the default one)");
        tracker("dlq.retention", ValueType.DURATION, TrackerConfig::dlqRetentionNs, TrackerConfig::dlqRetentionNs,
            "dead letters older than this are removed");
        tracker("dlq.evict.oldest", ValueType.BOOLEAN, TrackerConfig::dlqEvictOldest, TrackerConfig::dlqEvictOldest,
            "a full queue evicts its oldest dead letter (counted DLQ_EVICTED); false: the message stays FAILED in " +
            "the pending table until there is room (DLQ_HELD)");
        tracker("dlq.expired", ValueType.BOOLEAN, TrackerConfig::deadLetterExpired, TrackerConfig::deadLetterExpired,
            "EXPIRED messages go to the dead-letter queue too (FAILED ones always do)");
        tracker("dlq.replay.budget", ValueType.INT, TrackerConfig::dlqReplayBudget, TrackerConfig::dlqReplayBudget,
            "most dead letters replayed per duty cycle");

        section = "Message classes";
        perClass("name", ValueType.STRING, (c) -> c.name, (c, v) -> c.name = v, "class-N for id N", "for people");
        perClass("ack.timeout", ValueType.DURATION, (c) -> c.ackTimeoutNs, (c, v) -> c.ackTimeoutNs = v,
            "ack.timeout", "per-attempt ack timeout");
        perClass("max.attempts", ValueType.INT, (c) -> c.maxAttempts, (c, v) -> c.maxAttempts = v, "max.attempts",
            "attempts per destination, the first send included (1..15)");
        perClass("priority", ValueType.INT, (c) -> c.priority, (c, v) -> c.priority = v, "priority",
            "retry priority (-128..127)");
        perClass("ttl", ValueType.DURATION, (c) -> c.ttlNs, (c, v) -> c.ttlNs = v, "ttl", "time to live");
        backoff(CLASSES + "." + ConfigKey.ID + ".backoff.", "backoff.");

        section = "Leases";
        transport("lease.timeout", ValueType.DURATION, TransportConfig::leaseTimeoutNs, TransportConfig::leaseTimeoutNs,
            "visibility timeout of a lease that asks for the default (Aeron Lease, HTTP lease)");
        tracker("lease.max.deliveries", ValueType.INT, TrackerConfig::leaseMaxDeliveries,
            TrackerConfig::leaseMaxDeliveries, "leases a message may go through before it fails (MAX_DELIVERIES)");
        tracker("lease.max.extensions", ValueType.INT, TrackerConfig::leaseMaxExtensions,
            TrackerConfig::leaseMaxExtensions, "extensions allowed per lease");
        tracker("lease.max.extension", ValueType.DURATION, TrackerConfig::leaseMaxExtensionNs,
            TrackerConfig::leaseMaxExtensionNs, "longest single extension");
        tracker("lease.max.visibility", ValueType.DURATION, TrackerConfig::leaseMaxVisibilityNs,
            TrackerConfig::leaseMaxVisibilityNs, "longest visibility timeout of a lease");

        section = "Client sessions (exactly once)";
        tracker("max.clients", ValueType.INT, TrackerConfig::maxClients, TrackerConfig::maxClients,
            "most client sessions (senders, destinations, consumers numbering their commands); each holds an outbox " +
            "of outbox.capacity x 32 bytes off-heap; 0 turns sessions off");
        tracker("outbox.capacity", ValueType.INT, TrackerConfig::outboxCapacity, TrackerConfig::outboxCapacity,
            "entries each client's outbox keeps until the client confirms them (power of two): its messages without " +
            "an outcome plus outcomes it has not confirmed; beyond, its commands are refused OUTBOX_FULL");

        section = "Persistence";
        tracker("sync.interval", ValueType.DURATION, TrackerConfig::syncIntervalNs, TrackerConfig::syncIntervalNs,
            "msync the tables (or the journal: group commit) this often (0: leave it to the OS)");
        tracker("journal.segment.length", ValueType.INT_BYTES, TrackerConfig::journalSegmentLength,
            TrackerConfig::journalSegmentLength, "journal store: bytes per journal segment file (a power of two, " +
            "64k..1g)");
        tracker("checkpoint.interval", ValueType.BYTES, TrackerConfig::checkpointIntervalBytes,
            TrackerConfig::checkpointIntervalBytes, "journal store: take a checkpoint once the journal grew this " +
            "much since the last one, so a start replays at most about this much; 0 for none");
        tracker("checkpoint.interval.time", ValueType.DURATION, TrackerConfig::checkpointIntervalNs,
            TrackerConfig::checkpointIntervalNs, "journal store: also take one this long after the last when the " +
            "journal grew; 0 for none");
        tracker("checkpoint.at.close", ValueType.BOOLEAN, TrackerConfig::checkpointAtClose,
            TrackerConfig::checkpointAtClose, "journal store: take a checkpoint at a clean stop (a faster next start)");

        section = "Aeron transport";
        transport("inbound.channel", ValueType.STRING, TransportConfig::inboundChannel,
            TransportConfig::inboundChannel, "channel commands arrive on");
        transport("inbound.stream", ValueType.INT, TransportConfig::inboundStreamId, TransportConfig::inboundStreamId,
            "stream id commands arrive on");
        transport("outbound.channel", ValueType.STRING, TransportConfig::outboundChannel,
            TransportConfig::outboundChannel, "channel outcomes and redeliveries leave on");
        transport("outbound.stream", ValueType.INT, TransportConfig::outboundStreamId,
            TransportConfig::outboundStreamId, "outbound stream id");
        transport("fragment.limit", ValueType.INT, TransportConfig::fragmentLimit, TransportConfig::fragmentLimit,
            "most inbound frames per duty cycle");
        transport("inbound.prefetch", ValueType.BOOLEAN, TransportConfig::inboundPrefetch,
            TransportConfig::inboundPrefetch, "before each inbound poll, walk its frames once and touch the records " +
            "they name, so the poll finds them in cache (changes no result; see BENCHMARKS.md)");
        transport("outbound.retries", ValueType.INT, TransportConfig::outboundRetries,
            TransportConfig::outboundRetries, "extra offers of a back-pressured outbound frame before it goes to " +
            "the backlog");
        transport("backlog.capacity", ValueType.INT_BYTES, TransportConfig::backlogCapacity,
            TransportConfig::backlogCapacity, "outbound backlog bytes at which inbound polling stops");
        transport("backlog.drain.limit", ValueType.INT, TransportConfig::backlogDrainLimit,
            TransportConfig::backlogDrainLimit, "most backlogged frames published per duty cycle");
        transport("backlog.when.not.connected", ValueType.BOOLEAN, TransportConfig::backlogWhenNotConnected,
            TransportConfig::backlogWhenNotConnected, "keep outbound frames while no subscriber is connected");
        transport("outbound.stall.timeout", ValueType.DURATION, TransportConfig::outboundStallTimeoutNs,
            TransportConfig::outboundStallTimeoutNs, "report a stall (counter, gauge, one warning naming the " +
            "slowest subscriber) when the outbound publication publishes nothing for this long with frames waiting");
        transport("close.drain.timeout", ValueType.DURATION, TransportConfig::closeDrainTimeoutNs,
            TransportConfig::closeDrainTimeoutNs, "how long a stop keeps publishing the outbound backlog");
        transport("max.sessions", ValueType.INT, TransportConfig::maxSessions, TransportConfig::maxSessions,
            "most publisher sessions bound to destinations at once (dead ones are dropped to make room)");
        transport("error.log.length", ValueType.INT_BYTES, TransportConfig::errorLogLength,
            TransportConfig::errorLogLength, "bytes of each distinct error log (the tracker's and the transport's)");
        service("destination.keys.file", ValueType.PATH, (o) -> o.destinationKeysFile,
            (o, v) -> o.destinationKeysFile = v, "owner-only file of per-destination keys, one name=key per line: " +
            "a destination with a key must prove its name at hello (HMAC over a tracker nonce); others are bound " +
            "unauthenticated");
        service("client.keys.file", ValueType.PATH, (o) -> o.clientKeysFile, (o, v) -> o.clientKeysFile = v,
            "owner-only file of per-client keys, one name=key per line (the client id is derived from the name): a " +
            "client with a key must prove its id at SessionOpen (HMAC over a tracker nonce) and its numbered " +
            "commands are taken only from the session that proved it; other client ids are trusted on their word");

        section = "HTTP edge";
        service("http.enabled", ValueType.BOOLEAN, (o) -> o.httpEnabled, (o, v) -> o.httpEnabled = v,
            "serve the HTTP edge");
        http("http.host", ValueType.STRING, HttpEdgeConfig::host, HttpEdgeConfig::host,
            "HTTP bind address; anything but loopback needs http.tls.keystore and is warned about");
        http("http.port", ValueType.INT, HttpEdgeConfig::port, HttpEdgeConfig::port, "HTTP port (0 picks a free one)");
        key("http.token.file", ValueType.PATH, "bearer token file (created 0600 with a new random token when " +
            "missing); also the key admin commands are signed with", "http.token in data.dir; without data.dir a " +
            "new one per run, printed at start and deleted at stop", (t, id) -> t.service.httpTokenFile,
            (t, id, v) -> t.service.httpTokenFile = v);
        http("http.reads", ValueType.oneOf(HttpEdgeConfig.Reads.class), HttpEdgeConfig::reads, HttpEdgeConfig::reads,
            "who may GET /metrics, /stats, /messages/status: auto (open on loopback, the token elsewhere), open, " +
            "or token");
        http("http.allowed.origins", ValueType.LIST, HttpEdgeConfig::allowedOrigins, HttpEdgeConfig::allowedOrigins,
            "Origin values allowed on requests (comma separated, e.g. https://ops.example.com); any other Origin " +
            "is refused 403");
        http("http.allowed.hosts", ValueType.LIST, HttpEdgeConfig::allowedHosts, HttpEdgeConfig::allowedHosts,
            "names the Host header may carry besides the bound address and localhost (name: any port, name:port: " +
            "that port); any other Host is refused 421");
        http("http.register.destinations", ValueType.BOOLEAN, HttpEdgeConfig::registerDestinations,
            HttpEdgeConfig::registerDestinations, "allow POST /destinations to register new destination names (no " +
            "other HTTP request registers one)");
        http("http.threads", ValueType.INT, HttpEdgeConfig::threads, HttpEdgeConfig::threads, "HTTP worker threads");
        http("http.queue", ValueType.INT, HttpEdgeConfig::queueCapacity, HttpEdgeConfig::queueCapacity,
            "HTTP requests waiting for a worker before more are answered 503");
        http("http.max.connections", ValueType.INT, HttpEdgeConfig::maxConnections, HttpEdgeConfig::maxConnections,
            "most open HTTP connections (JVM-wide: the JDK server's)");
        http("http.read.timeout", ValueType.DURATION, HttpEdgeConfig::readTimeoutNs, HttpEdgeConfig::readTimeoutNs,
            "a request must arrive within this of its first byte, and a response be taken within it, or the " +
            "connection is closed");
        http("http.idle.timeout", ValueType.DURATION, HttpEdgeConfig::idleTimeoutNs, HttpEdgeConfig::idleTimeoutNs,
            "an HTTP connection with no request in progress is closed after this (whole seconds; JVM-wide)");
        http("http.tls.keystore", ValueType.PATH, HttpEdgeConfig::keystore, HttpEdgeConfig::keystore,
            "PKCS12 or JKS keystore with the server's key: the edge serves HTTPS (required off loopback)");
        key("http.tls.keystore.password", ValueType.STRING, "the keystore's (and its key's) password; keep it in " +
            "a 0600 config file rather than on the command line (never printed)", "empty", (t, id) -> "",
            (t, id, v) -> t.http.keystorePassword(v));
    }

    private ServiceKeys()
    {
    }

    /**
     * Every key, in reference order; per-class keys carry {@value ConfigKey#ID}.
     *
     * @return the keys.
     */
    static List<ConfigKey<?>> all()
    {
        return Collections.unmodifiableList(KEYS);
    }

    /**
     * A key by its name as written in a setting.
     *
     * @param name e.g. {@code ack.timeout} or {@code message.classes.3.ttl}.
     * @return the key and its class id, or null for an unknown name.
     * @throws IllegalArgumentException for a message class id out of range.
     */
    static Bound find(final String name)
    {
        final ConfigKey<?> key = BY_NAME.get(name);
        if (null != key && !key.isPerClass())
        {
            return new Bound(key, 0);
        }
        if (name.startsWith(CLASSES + "."))
        {
            final String rest = name.substring(CLASSES.length() + 1);
            final int dot = rest.indexOf('.');
            if (dot > 0)
            {
                final int id = classId(rest.substring(0, dot));
                final ConfigKey<?> field = BY_NAME.get(CLASSES + "." + ConfigKey.ID + rest.substring(dot));
                if (null != field)
                {
                    return new Bound(field, id);
                }
            }
        }
        return null;
    }

    /**
     * A message class id from its text.
     *
     * @param text the id.
     * @return 1..65535.
     * @throws IllegalArgumentException otherwise.
     */
    static int classId(final String text)
    {
        try
        {
            final int id = Integer.parseInt(text);
            if (id >= 1 && id <= 0xFFFF)
            {
                return id;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // refused below
        }
        throw new IllegalArgumentException("a message class id is 1..65535 (0 is the tracker's defaults): '" +
            text + "'");
    }

    /**
     * The known name closest to an unknown one, for "did you mean".
     *
     * @param name the unknown name.
     * @return the closest name, or null when none is close.
     */
    static String closest(final String name)
    {
        String best = null;
        int bestDistance = Math.max(2, name.length() / 4) + 1;
        for (final ConfigKey<?> key : KEYS)
        {
            String candidate = key.name();
            if (key.isPerClass() && name.startsWith(CLASSES + "."))
            {
                final String rest = name.substring(CLASSES.length() + 1);
                final int dot = rest.indexOf('.');
                candidate = candidate.replace(ConfigKey.ID, dot > 0 ? rest.substring(0, dot) : ConfigKey.ID);
            }
            final int distance = distance(name, candidate);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    private static int distance(final String a, final String b)
    {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            final int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** A key and the message class id its name carried (0 for a key of no class). */
    record Bound(ConfigKey<?> key, int id)
    {
    }

    private static <V> void key(
        final String name,
        final ValueType<V> type,
        final String help,
        final String defaultNote,
        final ConfigKey.Getter<V> getter,
        final ConfigKey.Setter<V> setter)
    {
        final ConfigKey<V> key = new ConfigKey<>(section, name, type, help, defaultNote, getter, setter);
        if (null != BY_NAME.put(name, key))
        {
            throw new IllegalStateException("key defined twice: " + name);
        }
        KEYS.add(key);
    }

    private static <V> void tracker(
        final String name,
        final ValueType<V> type,
        final Function<TrackerConfig, V> getter,
        final BiConsumer<TrackerConfig, V> setter,
        final String help)
    {
        key(name, type, help, null, (t, id) -> getter.apply(t.tracker), (t, id, v) -> setter.accept(t.tracker, v));
    }

    private static <V> void transport(
        final String name,
        final ValueType<V> type,
        final Function<TransportConfig, V> getter,
        final BiConsumer<TransportConfig, V> setter,
        final String help)
    {
        key(name, type, help, null, (t, id) -> getter.apply(t.transport),
            (t, id, v) -> setter.accept(t.transport, v));
    }

    private static <V> void http(
        final String name,
        final ValueType<V> type,
        final Function<HttpEdgeConfig, V> getter,
        final BiConsumer<HttpEdgeConfig, V> setter,
        final String help)
    {
        key(name, type, help, null, (t, id) -> getter.apply(t.http), (t, id, v) -> setter.accept(t.http, v));
    }

    private static <V> void service(
        final String name,
        final ValueType<V> type,
        final Function<ServiceOptions, V> getter,
        final BiConsumer<ServiceOptions, V> setter,
        final String help)
    {
        key(name, type, help, null, (t, id) -> getter.apply(t.service), (t, id, v) -> setter.accept(t.service, v));
    }

    private static <V> void circuit(
        final String name,
        final ValueType<V> type,
        final Function<ConfigTargets.CircuitSpec, V> getter,
        final BiConsumer<ConfigTargets.CircuitSpec, V> setter,
        final String help)
    {
        key(name, type, help, null, (t, id) -> getter.apply(t.circuit), (t, id, v) -> setter.accept(t.circuit, v));
    }

    private static <V> void perClass(
        final String field,
        final ValueType<V> type,
        final Function<ConfigTargets.ClassSpec, V> getter,
        final BiConsumer<ConfigTargets.ClassSpec, V> setter,
        final String inherits,
        final String help)
    {
        key(CLASSES + "." + ConfigKey.ID + "." + field, type, help, inherits.startsWith("class-") ? inherits : "the " +
            "tracker's " + inherits, (t, id) -> t.classes.containsKey(id) ? getter.apply(t.classes.get(id)) : null,
            (t, id, v) -> setter.accept(t.messageClass(id), v));
    }

    /**
     * The backoff's keys under a prefix: the tracker's ({@code backoff.}) or a class's, whose unset fields take the
     * tracker's ({@code inherits} names the tracker's prefix).
     */
    private static void backoff(final String prefix, final String inherits)
    {
        final boolean perClass = null != inherits;
        backoffKey(prefix, inherits, "kind", ValueType.oneOf(Backoff.Kind.class), (b) -> b.kind, (b, v) -> b.kind = v,
            "exponential (base x multiplier^(attempt-1)), linear (base + increment x (attempt-1)) or fixed (base); " +
            "capped at backoff.max");
        backoffKey(prefix, inherits, "base", ValueType.DURATION, (b) -> b.baseNs, (b, v) -> b.baseNs = v,
            "first delay before a retry");
        backoffKey(prefix, inherits, "multiplier", ValueType.DOUBLE, (b) -> b.multiplier, (b, v) -> b.multiplier = v,
            "exponential: growth per attempt (> 1)");
        backoffKey(prefix, inherits, "increment", ValueType.DURATION, (b) -> b.incrementNs,
            (b, v) -> b.incrementNs = v, "linear: added per attempt" + (perClass ? "" : " (default: the base)"));
        backoffKey(prefix, inherits, "max", ValueType.DURATION, (b) -> b.maxNs, (b, v) -> b.maxNs = v,
            "longest delay");
        backoffKey(prefix, inherits, "jitter", ValueType.oneOf(Backoff.Jitter.class), (b) -> b.jitter,
            (b, v) -> b.jitter = v, "none, full (uniform in [0, d]), equal (d/2 + uniform in [0, d/2]) or " +
            "decorrelated (uniform in [base, 3 x previous], AWS style)");
    }

    private static <V> void backoffKey(
        final String prefix,
        final String inherits,
        final String field,
        final ValueType<V> type,
        final Function<ConfigTargets.BackoffSpec, V> getter,
        final BiConsumer<ConfigTargets.BackoffSpec, V> setter,
        final String help)
    {
        if (null == inherits)
        {
            key(prefix + field, type, help, null, (t, id) -> getter.apply(t.backoff),
                (t, id, v) -> setter.accept(t.backoff, v));
        }
        else
        {
            key(prefix + field, type, help, "the tracker's " + inherits + field,
                (t, id) -> t.classes.containsKey(id) ? getter.apply(t.classes.get(id).backoff) : null,
                (t, id, v) -> setter.accept(t.messageClass(id).backoff, v));
        }
    }
}

package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.MessageStatus;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The HTTP edge's message commands, for clients that cannot speak Aeron (the GoQueue-style API).
 * <ul>
 *     <li>By message id (track, ack, nack, reject, cumulative ack): checked, then applied on the agent thread
 *     through {@link AckTracker#submit} and answered after it was applied, with the engine's result: 200 with
 *     OK, COMPLETED or HELD; 400, 404 or 409 for a refusal (nothing changed); 503 when the agent does not answer in
 *     time (the command may still be applied: retry with the same {@code Idempotency-Key}, see
 *     {@link IdempotencyKeys}).</li>
 *     <li>Leases (lease, and extend, ack, nack, reject by receipt handle): run on the agent thread through
 *     {@link AckTracker#submit} and answered with the engine's verdict, because a consumer must know whether it
 *     holds the message: 200 on success; 400 for a bad timeout, 404 for an unknown message, 409 for a lease
 *     conflict (ALREADY_LEASED, INVALID_LEASE, LEASE_EXPIRED, MAX_EXTENSIONS, LATE_ACK when settled already); 503
 *     when the agent does not answer in time.</li>
 * </ul>
 * Receipt handles travel in their printable form ({@code ack1.} + base64url); a handle is a bearer credential:
 * whoever holds it may settle the message, so it is only ever answered to the (authenticated) caller that leased.
 * Destinations are named by registered name or id; no command registers a name. Bad input is answered 4xx with a
 * one-line JSON error and changes nothing.
 * <p>
 * Threading: the HTTP executor's threads; uses only the tracker's any-thread API.
 */
final class MessageCommands
{
    static final long VERDICT_TIMEOUT_MS = 5_000;
    private static final Set<String> TRACK_MEMBERS = Set.of("message_id", "destinations", "required_acks",
        "ack_timeout_ms", "ttl_ms", "priority", "message_class", "max_attempts", "metadata", "stream_id", "sequence");
    private static final Set<String> ACK_MEMBERS = Set.of("message_id", "destination", "receipt_handle");
    private static final Set<String> CUMULATIVE_MEMBERS = Set.of("stream_id", "destination", "offset");
    private static final Set<String> NACK_MEMBERS =
        Set.of("message_id", "destination", "receipt_handle", "delay_ms", "code", "reason");
    private static final Set<String> REJECT_MEMBERS =
        Set.of("message_id", "destination", "receipt_handle", "code", "reason");
    private static final Set<String> EXTEND_MEMBERS = Set.of("receipt_handle", "extension_ms");
    private static final Set<String> LEASE_MEMBERS = Set.of("message_id", "visibility_ms", "consumer_id");

    private final AckTracker tracker;
    private final DestinationRegistry registry;
    private final long defaultLeaseTimeoutNs;

    MessageCommands(final AckTracker tracker, final long defaultLeaseTimeoutNs)
    {
        this.tracker = tracker;
        this.registry = tracker.destinations();
        this.defaultLeaseTimeoutNs = defaultLeaseTimeoutNs;
    }

    HttpResponse track(final RequestBody body)
    {
        body.allowOnly(TRACK_MEMBERS);
        final long messageId = body.requiredLong("message_id");
        final List<?> destinations = body.requiredList("destinations");
        if (destinations.size() > DestinationRegistry.MAX_DESTINATIONS)
        {
            throw new BadRequestException("at most " + DestinationRegistry.MAX_DESTINATIONS + " destinations");
        }
        long mask = 0;
        for (final Object destination : destinations)
        {
            mask |= 1L << destinationId(destination);
        }
        // only parsed here: the tracker's command validator decides, as it does for every other way in
        final TrackRequest request = new TrackRequest().reset()
            .messageId(messageId)
            .destinations(mask)
            .requiredAcks(body.optionalInt("required_acks", 0, Integer.MIN_VALUE, Integer.MAX_VALUE))
            .ackTimeoutNs(millisToNanos(body.optionalLong("ack_timeout_ms", 0)))
            .ttlNs(millisToNanos(body.optionalLong("ttl_ms", 0)))
            .priority(body.optionalInt("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE))
            .messageClass(body.optionalInt("message_class", 0, Integer.MIN_VALUE, Integer.MAX_VALUE))
            .maxAttempts(body.optionalInt("max_attempts", 0, Integer.MIN_VALUE, Integer.MAX_VALUE));
        if (body.has("metadata"))
        {
            final byte[] metadata = body.requiredString("metadata").getBytes(StandardCharsets.UTF_8);
            request.metadata(new UnsafeBuffer(metadata), 0, metadata.length);
        }
        if (body.has("stream_id"))
        {
            request.stream(body.requiredInt("stream_id"), body.requiredLong("sequence"));
        }
        else if (body.has("sequence"))
        {
            throw new BadRequestException("'sequence' needs 'stream_id'");
        }
        return verdict(messageId, (agent) -> agent.track(request));
    }

    HttpResponse ack(final RequestBody body)
    {
        body.allowOnly(ACK_MEMBERS);
        final ReceiptHandle handle = receiptHandle(body);
        if (null != handle)
        {
            return verdict(handle.messageId(), (agent) -> agent.leaseAck(handle));
        }
        final long messageId = body.requiredLong("message_id");
        final int destination = destinationId(body, "destination");
        return verdict(messageId, (agent) -> agent.recordAck(messageId, destination));
    }

    HttpResponse cumulativeAck(final RequestBody body)
    {
        body.allowOnly(CUMULATIVE_MEMBERS);
        final int streamId = body.requiredInt("stream_id");
        final long offset = body.requiredLong("offset");
        final int destination = destinationId(body, "destination");
        return verdict("stream_id", streamId, (agent) -> agent.recordCumulativeAck(streamId, destination, offset));
    }

    HttpResponse nack(final RequestBody body)
    {
        body.allowOnly(NACK_MEMBERS);
        final long delayNs = millisToNanos(body.optionalLong("delay_ms", 0));
        final int code = body.optionalInt("code", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
        optionalReason(body);
        final ReceiptHandle handle = receiptHandle(body);
        if (null != handle)
        {
            if (body.has("code"))
            {
                throw new BadRequestException("'code' is for a nack by message id; a lease nack takes none");
            }
            return verdict(handle.messageId(), (agent) -> agent.leaseNack(handle, delayNs));
        }
        final long messageId = body.requiredLong("message_id");
        final int destination = destinationId(body, "destination");
        return verdict(messageId, (agent) -> agent.recordNack(messageId, destination, delayNs, code));
    }

    HttpResponse reject(final RequestBody body)
    {
        body.allowOnly(REJECT_MEMBERS);
        final int code = body.optionalInt("code", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
        optionalReason(body);
        final ReceiptHandle handle = receiptHandle(body);
        if (null != handle)
        {
            return verdict(handle.messageId(), (agent) -> agent.leaseReject(handle, code));
        }
        final long messageId = body.requiredLong("message_id");
        final int destination = destinationId(body, "destination");
        return verdict(messageId, (agent) -> agent.recordReject(messageId, destination, code));
    }

    HttpResponse extend(final RequestBody body)
    {
        body.allowOnly(EXTEND_MEMBERS);
        final long extensionNs = millisToNanos(body.requiredLong("extension_ms"));
        final ReceiptHandle handle = receiptHandle(body);
        if (null == handle)
        {
            throw new BadRequestException("'receipt_handle' is required");
        }
        return verdict(handle.messageId(), (agent) -> agent.leaseExtend(handle, extensionNs));
    }

    HttpResponse lease(final RequestBody body)
    {
        body.allowOnly(LEASE_MEMBERS);
        final long messageId = body.requiredLong("message_id");
        final long consumerId = body.optionalLong("consumer_id", 0);
        final long visibilityNs = body.has("visibility_ms") ?
            millisToNanos(body.requiredLong("visibility_ms")) : defaultLeaseTimeoutNs;

        final Lease lease = await(tracker.submit((agent) ->
        {
            final ReceiptHandle handle = new ReceiptHandle();
            final Result result = agent.lease(messageId, consumerId, visibilityNs, handle);
            return new Lease(result, handle, agent.nowNs() + visibilityNs);
        }));
        if (Result.OK != lease.result())
        {
            return refused(lease.result());
        }
        return new HttpResponse(200, "{\"result\":\"OK\",\"message_id\":" + messageId +
            ",\"receipt_handle\":" + Json.quote(lease.handle().toString()) +
            ",\"delivery\":" + lease.handle().delivery() +
            ",\"lease_deadline_ms\":" + lease.deadlineNs() / 1_000_000 + "}");
    }

    HttpResponse status(final long messageId)
    {
        final MessageStatus status = tracker.status(messageId);
        return new HttpResponse(200, "{\"message_id\":" + messageId +
            ",\"state\":" + Json.quote(status.state().name()) +
            ",\"destinations\":" + names(status.destinations()) +
            ",\"acked\":" + names(status.acked()) +
            ",\"required_acks\":" + status.requiredAcks() +
            ",\"attempts\":" + status.attempts() +
            ",\"reason\":" + Json.quote(status.reason().name()) + "}");
    }

    private record Lease(Result result, ReceiptHandle handle, long deadlineNs)
    {
    }

    private HttpResponse verdict(final long messageId, final Function<TrackerAgent, Result> command)
    {
        return verdict("message_id", messageId, command);
    }

    /**
     * Apply a command on the agent thread and answer with what the engine decided: 200 with the result when applied,
     * the refusal's status otherwise (or 503 when the agent does not answer in time: it may still apply it).
     */
    private HttpResponse verdict(final String idName, final long id, final Function<TrackerAgent, Result> command)
    {
        final Result result = await(tracker.submit(command));
        if (result.isRefusal())
        {
            return refused(result);
        }
        return new HttpResponse(200, "{\"result\":" + Json.quote(result.name()) + ",\"" + idName + "\":" + id +
            "}");
    }

    private static <T> T await(final CompletableFuture<T> future)
    {
        try
        {
            return future.get(VERDICT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new BadRequestException(503, "the tracker did not answer within " + VERDICT_TIMEOUT_MS +
                " ms; the command may still be applied");
        }
        catch (final ExecutionException ex)
        {
            throw new BadRequestException(503, String.valueOf(ex.getCause().getMessage()));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new BadRequestException(503, "interrupted while waiting for the tracker");
        }
    }

    private static HttpResponse refused(final Result result)
    {
        final int status;
        switch (result)
        {
            case INVALID_TIMEOUT:
            case INVALID_ARGUMENT:
            case INVALID_REQUIRED_ACKS:
            case NO_DESTINATIONS:
            case TOO_MANY_DESTINATIONS:
            case UNKNOWN_DESTINATION:
            case METADATA_TOO_LARGE:
            case UNKNOWN_MESSAGE_CLASS:
                status = 400;
                break;
            case UNKNOWN_MESSAGE:
                status = 404;
                break;
            case BACK_PRESSURED:
            case CLOSED:
            case TRACKER_FAILED:
            case CAPACITY_EXCEEDED:
                status = 503;
                break;
            default:
                status = 409;
                break;
        }
        return new HttpResponse(status, "{\"error\":" + Json.quote(refusal(result)) +
            ",\"result\":" + Json.quote(result.name()) + "}");
    }

    private static String refusal(final Result result)
    {
        return "refused: " + result.name() + " (" + result.description() + ")";
    }

    private String names(final long mask)
    {
        final StringBuilder out = new StringBuilder("[");
        for (final String name : registry.names(mask))
        {
            out.append(out.length() > 1 ? "," : "").append(Json.quote(name));
        }
        return out.append(']').toString();
    }

    /**
     * A command names its message either by receipt handle or by message id and destination, not both.
     *
     * @return the parsed handle, or null when the command is by message id.
     */
    private static ReceiptHandle receiptHandle(final RequestBody body)
    {
        if (!body.has("receipt_handle"))
        {
            return null;
        }
        final String printable = body.requiredString("receipt_handle");
        if (body.has("message_id") || body.has("destination"))
        {
            throw new BadRequestException("give either 'receipt_handle' or 'message_id' and 'destination'");
        }
        try
        {
            return ReceiptHandle.parse(printable);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadRequestException("'receipt_handle': " + ex.getMessage());
        }
    }

    private static void optionalReason(final RequestBody body)
    {
        if (body.has("reason") && body.requiredString("reason").length() > 256)
        {
            throw new BadRequestException("'reason' longer than 256 characters");
        }
    }

    private int destinationId(final RequestBody body, final String member)
    {
        if (!body.has(member))
        {
            throw new BadRequestException("'" + member + "' is required: a destination name or id");
        }
        return destinationId(body.raw(member));
    }

    /**
     * A registered destination's id, never registering: a name the registry does not hold is refused, and nothing
     * is registered by any message command (see {@link DestinationCommands} for the explicit way).
     */
    private int destinationId(final Object destination)
    {
        if (destination instanceof String)
        {
            final String name = (String)destination;
            final int id = registry.id(name);
            if (DestinationRegistry.UNKNOWN == id)
            {
                throw new BadRequestException("unknown destination '" + name + "': not registered (name it in the " +
                    "service's destinations setting, or register it with POST /destinations where " +
                    "http.register.destinations=true)");
            }
            return id;
        }
        if (destination instanceof Long)
        {
            final long id = (Long)destination;
            if (id < 0 || id >= DestinationRegistry.MAX_DESTINATIONS || null == registry.name((int)id))
            {
                throw new BadRequestException("unknown destination id " + id);
            }
            return (int)id;
        }
        throw new BadRequestException("a destination is a name or an id");
    }

    /**
     * Milliseconds from a request in nanoseconds, saturating (a negative stays negative, for the validator to refuse).
     */
    private static long millisToNanos(final long millis)
    {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}

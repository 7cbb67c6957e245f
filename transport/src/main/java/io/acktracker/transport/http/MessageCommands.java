package io.acktracker.transport.http;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.DestinationRegistry;
import io.acktracker.engine.MessageStatus;
import io.acktracker.engine.Result;
import io.acktracker.engine.TrackRequest;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP edge's message commands, for clients that cannot speak Aeron (the GoQueue-style API): track, ack and
 * cumulative ack are checked, then handed to the agent through the tracker's command queue like any other
 * thread's commands, answering 202 QUEUED (the agent decides; refusals are counted by the engine), or 503 when the
 * queue is full. Nack, reject, visibility (extend) and anything by receipt handle are checked and answered 501:
 * this engine does not support them yet.
 * <p>
 * Threading: the HTTP executor's threads; uses only the tracker's any-thread API.
 */
final class MessageCommands
{
    private static final Set<String> TRACK_MEMBERS = Set.of("message_id", "destinations", "required_acks",
        "ack_timeout_ms", "ttl_ms", "priority", "message_class", "stream_id", "sequence");
    private static final Set<String> ACK_MEMBERS = Set.of("message_id", "destination", "receipt_handle");
    private static final Set<String> CUMULATIVE_MEMBERS = Set.of("stream_id", "destination", "offset");
    private static final Set<String> NACK_MEMBERS =
        Set.of("message_id", "destination", "receipt_handle", "delay_ms", "code", "reason");
    private static final Set<String> REJECT_MEMBERS =
        Set.of("message_id", "destination", "receipt_handle", "code", "reason");
    private static final Set<String> EXTEND_MEMBERS =
        Set.of("message_id", "destination", "receipt_handle", "extension_ms");

    private final AckTracker tracker;
    private final DestinationRegistry registry;

    MessageCommands(final AckTracker tracker)
    {
        this.tracker = tracker;
        this.registry = tracker.destinations();
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
            mask |= 1L << destinationId(destination, true);
        }
        final TrackRequest request = new TrackRequest().reset()
            .messageId(messageId)
            .destinations(mask)
            .requiredAcks(body.optionalInt("required_acks", 0, 0, Long.bitCount(mask)))
            .ackTimeoutNs(TimeUnit.MILLISECONDS.toNanos(body.optionalNonNegative("ack_timeout_ms")))
            .ttlNs(TimeUnit.MILLISECONDS.toNanos(body.optionalNonNegative("ttl_ms")))
            .priority(body.optionalInt("priority", 0, Byte.MIN_VALUE, Byte.MAX_VALUE))
            .messageClass(body.optionalInt("message_class", 0, 0, 0xFFFF));
        if (body.has("stream_id"))
        {
            request.stream(body.requiredInt("stream_id"), body.requiredLong("sequence"));
        }
        else if (body.has("sequence"))
        {
            throw new BadRequestException("'sequence' needs 'stream_id'");
        }
        return queued(tracker.offerTrack(request), messageId);
    }

    HttpResponse ack(final RequestBody body)
    {
        body.allowOnly(ACK_MEMBERS);
        if (byReceiptHandle(body))
        {
            return notSupported("ack by receipt handle (leases)");
        }
        final long messageId = body.requiredLong("message_id");
        return queued(tracker.offerAck(messageId, destinationId(body, "destination")), messageId);
    }

    HttpResponse cumulativeAck(final RequestBody body)
    {
        body.allowOnly(CUMULATIVE_MEMBERS);
        final int streamId = body.requiredInt("stream_id");
        final long offset = body.requiredLong("offset");
        return queued(tracker.offerCumulativeAck(streamId, destinationId(body, "destination"), offset), streamId);
    }

    HttpResponse nack(final RequestBody body)
    {
        body.allowOnly(NACK_MEMBERS);
        body.optionalNonNegative("delay_ms");
        body.optionalInt("code", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
        optionalReason(body);
        checkTarget(body);
        // Engine NACK: return queued(tracker.offerNack(messageId, destination, delayNs, code), messageId);
        return notSupported("nack");
    }

    HttpResponse reject(final RequestBody body)
    {
        body.allowOnly(REJECT_MEMBERS);
        body.optionalInt("code", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
        optionalReason(body);
        checkTarget(body);
        // Engine REJECT/DLQ: return queued(tracker.offerReject(messageId, destination, code), messageId);
        return notSupported("reject (dead-lettering)");
    }

    HttpResponse extend(final RequestBody body)
    {
        body.allowOnly(EXTEND_MEMBERS);
        if (body.requiredLong("extension_ms") <= 0)
        {
            throw new BadRequestException("'extension_ms' must be positive");
        }
        checkTarget(body);
        return notSupported("visibility extension (leases)");
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

    private String names(final long mask)
    {
        final StringBuilder out = new StringBuilder("[");
        for (final String name : registry.names(mask))
        {
            out.append(out.length() > 1 ? "," : "").append(Json.quote(name));
        }
        return out.append(']').toString();
    }

    /** A command names its message either by receipt handle or by message id and destination, not both. */
    private boolean byReceiptHandle(final RequestBody body)
    {
        if (body.has("receipt_handle"))
        {
            body.requiredString("receipt_handle");
            if (body.has("message_id") || body.has("destination"))
            {
                throw new BadRequestException("give either 'receipt_handle' or 'message_id' and 'destination'");
            }
            return true;
        }
        return false;
    }

    private void checkTarget(final RequestBody body)
    {
        if (!byReceiptHandle(body))
        {
            body.requiredLong("message_id");
            destinationId(body, "destination");
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
        return destinationId(body.raw(member), false);
    }

    private int destinationId(final Object destination, final boolean register)
    {
        if (destination instanceof String)
        {
            final String name = (String)destination;
            final int id = register ? registry.resolve(name) : registry.id(name);
            if (DestinationRegistry.UNKNOWN == id)
            {
                throw new BadRequestException("unknown destination '" + name + "'");
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

    private static HttpResponse queued(final Result result, final long id)
    {
        switch (result)
        {
            case QUEUED:
                return new HttpResponse(202, "{\"result\":\"QUEUED\",\"id\":" + id + "}");
            case BACK_PRESSURED:
                return HttpResponse.error(503, "back pressured: the tracker's command queue is full, retry");
            case CLOSED:
                return HttpResponse.error(503, "the tracker is closed");
            default:
                return HttpResponse.error(400, "refused: " + result.name());
        }
    }

    private static HttpResponse notSupported(final String what)
    {
        return HttpResponse.error(501, "not supported by this tracker version: " + what);
    }
}

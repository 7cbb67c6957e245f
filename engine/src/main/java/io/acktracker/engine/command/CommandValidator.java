package io.acktracker.engine.command;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import org.agrona.collections.IntHashSet;

import java.util.Set;

/**
 * The one place that checks a command's arguments, whichever way it came in: the tracker's {@code offer*} calls on
 * the caller's thread, the agent when it applies a command, the HTTP edge and the transport before they hand a
 * command on. The checks need no tracker state (only the configuration and the destination registry, which only
 * grows), so a command that passes here passes again when the agent applies it, and a refused command gets the same
 * {@link Result} on every path. Checks that need the tracker's state (unknown id, duplicate, full table, stale
 * handle) are the agent's and always come after these.
 * <p>
 * Threading: any thread; allocation-free.
 */
public final class CommandValidator
{
    /**
     * The destinations a check accepts: the registry's, on the edges; the state machine's own copy (kept by
     * KNOWN_DESTINATIONS commands), when it applies a command.
     */
    @FunctionalInterface
    public interface KnownDestinations
    {
        /**
         * @return bitset of registered destination ids; it only grows.
         */
        long knownMask();
    }

    private final KnownDestinations registry;
    private final IntHashSet messageClasses;
    private final int maxMetadataLength;
    private final long leaseMaxVisibilityNs;
    private final long leaseMaxExtensionNs;

    /**
     * Checks for one tracker's configuration.
     *
     * @param registry             destination registry (known destinations).
     * @param messageClasses       registered message class ids.
     * @param maxMetadataLength    longest metadata accepted.
     * @param leaseMaxVisibilityNs longest visibility timeout of a lease.
     * @param leaseMaxExtensionNs  longest single lease extension.
     */
    public CommandValidator(
        final DestinationRegistry registry,
        final Set<Integer> messageClasses,
        final int maxMetadataLength,
        final long leaseMaxVisibilityNs,
        final long leaseMaxExtensionNs)
    {
        this.registry = registry::knownMask;
        this.messageClasses = new IntHashSet();
        messageClasses.forEach(this.messageClasses::add);
        this.maxMetadataLength = maxMetadataLength;
        this.leaseMaxVisibilityNs = leaseMaxVisibilityNs;
        this.leaseMaxExtensionNs = leaseMaxExtensionNs;
    }

    private CommandValidator(final CommandValidator checks, final KnownDestinations known)
    {
        this.registry = known;
        this.messageClasses = checks.messageClasses;
        this.maxMetadataLength = checks.maxMetadataLength;
        this.leaseMaxVisibilityNs = checks.leaseMaxVisibilityNs;
        this.leaseMaxExtensionNs = checks.leaseMaxExtensionNs;
    }

    /**
     * The same checks over another set of known destinations (the state machine's).
     *
     * @param known the known destinations.
     * @return a validator sharing this one's configuration.
     */
    public CommandValidator withKnownDestinations(final KnownDestinations known)
    {
        return new CommandValidator(this, known);
    }

    /**
     * Check a track.
     *
     * @param request the track.
     * @return OK, or NO_DESTINATIONS, UNKNOWN_DESTINATION, INVALID_REQUIRED_ACKS, INVALID_TIMEOUT, INVALID_ARGUMENT,
     * UNKNOWN_MESSAGE_CLASS or METADATA_TOO_LARGE, in that order of precedence.
     */
    public Result track(final TrackRequest request)
    {
        final long destinations = request.destinations();
        if (0 == destinations)
        {
            return Result.NO_DESTINATIONS;
        }
        if ((destinations & ~registry.knownMask()) != 0)
        {
            return Result.UNKNOWN_DESTINATION;
        }
        final int requiredAcks = request.requiredAcks();
        if (requiredAcks < 0 || requiredAcks > Long.bitCount(destinations))
        {
            return Result.INVALID_REQUIRED_ACKS;
        }
        if (request.ackTimeoutNs() < 0 || request.ttlNs() < 0)
        {
            return Result.INVALID_TIMEOUT;
        }
        if (request.priority() < Byte.MIN_VALUE || request.priority() > Byte.MAX_VALUE ||
            request.maxAttempts() < 0 || request.maxAttempts() > TrackRequest.MAX_ATTEMPTS ||
            TrackRequest.RESERVED_MESSAGE_ID == request.messageId())
        {
            return Result.INVALID_ARGUMENT;
        }
        if (0 != request.messageClass() && !messageClasses.contains(request.messageClass()))
        {
            return Result.UNKNOWN_MESSAGE_CLASS;
        }
        if (request.metadataLength() < 0 || request.metadataLength() > maxMetadataLength)
        {
            return Result.METADATA_TOO_LARGE;
        }
        return Result.OK;
    }

    /**
     * Check a track with the tracker's defaults.
     *
     * @param messageId    id.
     * @param destinations bitset of destination ids.
     * @return OK, or NO_DESTINATIONS, UNKNOWN_DESTINATION or INVALID_ARGUMENT (the reserved id).
     */
    public Result track(final long messageId, final long destinations)
    {
        if (0 == destinations)
        {
            return Result.NO_DESTINATIONS;
        }
        if ((destinations & ~registry.knownMask()) != 0)
        {
            return Result.UNKNOWN_DESTINATION;
        }
        return TrackRequest.RESERVED_MESSAGE_ID == messageId ? Result.INVALID_ARGUMENT : Result.OK;
    }

    /**
     * Check an ack or a reject from a destination.
     *
     * @param destination destination id.
     * @return OK, or UNKNOWN_DESTINATION when the id is out of range.
     */
    public Result answer(final int destination)
    {
        return destination < 0 || destination >= DestinationRegistry.MAX_DESTINATIONS ?
            Result.UNKNOWN_DESTINATION : Result.OK;
    }

    /**
     * Check a nack.
     *
     * @param destination destination id.
     * @param delayNs     retry delay.
     * @return OK, UNKNOWN_DESTINATION or INVALID_TIMEOUT (negative delay).
     */
    public Result nack(final int destination, final long delayNs)
    {
        final Result result = answer(destination);
        return Result.OK != result ? result : delayNs < 0 ? Result.INVALID_TIMEOUT : Result.OK;
    }

    /**
     * Check a cumulative ack.
     *
     * @param destination destination id.
     * @return OK, or SPOOFED_DESTINATION when the destination is not registered.
     */
    public Result cumulativeAck(final int destination)
    {
        return destination < 0 || destination >= DestinationRegistry.MAX_DESTINATIONS ||
            ((1L << destination) & registry.knownMask()) == 0 ? Result.SPOOFED_DESTINATION : Result.OK;
    }

    /**
     * Check a lease.
     *
     * @param visibilityNs visibility timeout.
     * @return OK, or INVALID_TIMEOUT outside (0, maximum visibility].
     */
    public Result lease(final long visibilityNs)
    {
        return visibilityNs <= 0 || visibilityNs > leaseMaxVisibilityNs ? Result.INVALID_TIMEOUT : Result.OK;
    }

    /**
     * Check a lease settlement or extension.
     *
     * @param type     LEASE_ACK, LEASE_NACK, LEASE_EXTEND or LEASE_REJECT.
     * @param argument delay (nack) or extension (extend).
     * @return OK, or INVALID_TIMEOUT for a negative delay or an extension outside (0, maximum extension].
     */
    public Result settle(final int type, final long argument)
    {
        switch (type)
        {
            case CommandLayout.LEASE_NACK:
                return argument < 0 ? Result.INVALID_TIMEOUT : Result.OK;
            case CommandLayout.LEASE_EXTEND:
                return argument <= 0 || argument > leaseMaxExtensionNs ? Result.INVALID_TIMEOUT : Result.OK;
            default:
                return Result.OK;
        }
    }
}

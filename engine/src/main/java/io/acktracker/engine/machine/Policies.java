package io.acktracker.engine.machine;

import io.acktracker.engine.api.Backoff;
import io.acktracker.engine.api.MessageClass;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * How a message is treated when its track leaves a setting at its default: the message class's value if it names
 * one, else the tracker's. Immutable after construction.
 * <p>
 * Agent thread only.
 */
final class Policies
{
    private final Int2ObjectHashMap<MessageClass> classes = new Int2ObjectHashMap<>();
    private final Backoff defaultBackoff;
    private final long defaultAckTimeoutNs;
    private final long defaultTtlNs;
    private final int defaultMaxAttempts;
    private final int defaultPriority;

    Policies(final TrackerConfig config)
    {
        config.messageClasses().forEach(classes::put);
        defaultBackoff = config.defaultBackoff();
        defaultAckTimeoutNs = config.defaultAckTimeoutNs();
        defaultTtlNs = config.defaultTtlNs();
        defaultMaxAttempts = config.defaultMaxAttempts();
        defaultPriority = config.defaultPriority();
    }

    Backoff backoff(final int messageClass)
    {
        final MessageClass policy = policy(messageClass);
        return null == policy ? defaultBackoff : policy.backoff();
    }

    long ackTimeoutNs(final TrackRequest request)
    {
        final MessageClass policy = policy(request.messageClass());
        return 0 != request.ackTimeoutNs() ? request.ackTimeoutNs() :
            null != policy ? policy.ackTimeoutNs() : defaultAckTimeoutNs;
    }

    long ttlNs(final TrackRequest request)
    {
        final MessageClass policy = policy(request.messageClass());
        return 0 != request.ttlNs() ? request.ttlNs() : null != policy ? policy.ttlNs() : defaultTtlNs;
    }

    int maxAttempts(final TrackRequest request)
    {
        final MessageClass policy = policy(request.messageClass());
        return 0 != request.maxAttempts() ? request.maxAttempts() :
            null != policy ? policy.maxAttempts() : defaultMaxAttempts;
    }

    int priority(final TrackRequest request)
    {
        final MessageClass policy = policy(request.messageClass());
        return 0 != request.priority() ? request.priority() : null != policy ? policy.priority() : defaultPriority;
    }

    /** The class's settings, null for class 0 (the tracker's defaults) without a lookup. */
    private MessageClass policy(final int messageClass)
    {
        return 0 == messageClass ? null : classes.get(messageClass);
    }

    /**
     * An absolute deadline a duration after now, {@code NO_DEADLINE} for none or on overflow.
     */
    static long deadlineAfter(final long nowNs, final long durationNs)
    {
        if (durationNs == TrackRequest.NO_TIMEOUT)
        {
            return io.acktracker.engine.record.PendingRecord.NO_DEADLINE;
        }
        final long deadline = nowNs + durationNs;
        return deadline < nowNs ? io.acktracker.engine.record.PendingRecord.NO_DEADLINE : deadline;
    }
}

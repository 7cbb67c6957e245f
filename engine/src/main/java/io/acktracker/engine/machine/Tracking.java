package io.acktracker.engine.machine;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.health.DestinationHealth;
import io.acktracker.engine.metrics.Counters;
import io.acktracker.engine.pending.Records;
import io.acktracker.engine.record.PendingRecord;
import io.acktracker.engine.record.RecordStatus;
import io.acktracker.engine.store.BlobBytes;
import io.acktracker.engine.store.BlobTable;
import io.acktracker.engine.store.Extras;
import io.acktracker.engine.stream.StreamIndex;
import io.acktracker.engine.stream.Streams;

import static io.acktracker.engine.metrics.TrackerCounter.*;

/**
 * Tracking a new message: refuse a duplicate id (pending or a tombstone) or a full table, resolve the settings the
 * track left at their defaults, build the record, apply what is already known about it (a cumulative offset of its
 * stream that covers it, acks that arrived early), keep its metadata, insert it and put it on its deadline. A track
 * whose known acks already meet its quorum completes at once. Arguments were checked by the command validator.
 * <p>
 * Agent thread only.
 */
final class Tracking
{
    private final Policies policies;
    private final Records records;
    private final Admission admission;
    private final Streams streams;
    private final EarlyAcks earlyAcks;
    private final BlobTable extras;
    private final DestinationHealth health;
    private final Finisher finisher;
    private final Counters counters;
    private final CommandClock clock;
    private final BlobBytes extrasBlob = new BlobBytes(1024);
    private final PendingRecord record = new PendingRecord();

    private int lastSlot = -1;

    Tracking(
        final Policies policies,
        final Records records,
        final Admission admission,
        final Streams streams,
        final EarlyAcks earlyAcks,
        final BlobTable extras,
        final DestinationHealth health,
        final Finisher finisher,
        final Counters counters,
        final CommandClock clock)
    {
        this.policies = policies;
        this.records = records;
        this.admission = admission;
        this.streams = streams;
        this.earlyAcks = earlyAcks;
        this.extras = extras;
        this.health = health;
        this.finisher = finisher;
        this.counters = counters;
        this.clock = clock;
    }

    /**
     * The slot the last accepted track went into.
     *
     * @return the slot.
     */
    int lastSlot()
    {
        return lastSlot;
    }

    Result track(final TrackRequest request, final boolean hasWaiter)
    {
        final long messageId = request.messageId();
        if (Records.MISSING != records.slotOf(messageId))
        {
            counters.increment(DUPLICATE_TRACKS);
            return Result.DUPLICATE_TRACK;
        }
        if (!admission.hasRoom())
        {
            counters.increment(CAPACITY_EXCEEDED);
            return Result.CAPACITY_EXCEEDED;
        }

        final long nowNs = clock.nowNs();
        final long destinations = request.destinations();
        final int requiredAcks = 0 == request.requiredAcks() ? Long.bitCount(destinations) : request.requiredAcks();
        final long ackTimeoutNs = policies.ackTimeoutNs(request);
        final PendingRecord fresh = records.fresh();
        fresh.messageId(messageId)
            .destinations(destinations)
            .requiredAcks(requiredAcks)
            .createdNs(nowNs)
            .roundStartNs(nowNs)
            .ackTimeoutNs(ackTimeoutNs)
            .deadlineNs(Policies.deadlineAfter(nowNs, ackTimeoutNs))
            .ttlDeadlineNs(Policies.deadlineAfter(nowNs, policies.ttlNs(request)))
            .leaseDeadlineNs(PendingRecord.NO_DEADLINE)
            .retryAtNs(PendingRecord.NO_DEADLINE)
            .highestAttempt(1)
            .attemptsForAll(destinations, 1)
            .maxAttempts(policies.maxAttempts(request))
            .rejector(-1)
            .priority(policies.priority(request))
            .messageClass(request.messageClass())
            .status(RecordStatus.PENDING);
        if (hasWaiter)
        {
            fresh.setFlag(PendingRecord.FLAG_HAS_LISTENER);
        }

        StreamIndex stream = null;
        if (request.hasStream())
        {
            stream = streams.getOrCreate(request.streamId());
            fresh.setFlag(PendingRecord.FLAG_HAS_STREAM)
                .streamId(request.streamId())
                .streamSequence(request.sequence())
                .acked(stream.destinationsCovering(request.sequence()) & destinations);
        }

        final int metadataLength = request.metadataLength();
        if (metadataLength > 0)
        {
            Extras.init(extrasBlob, 0, request.metadata(), request.metadataOffset(), metadataLength);
            if (!extras.put(messageId, extrasBlob))
            {
                counters.increment(CAPACITY_EXCEEDED);
                return Result.CAPACITY_EXCEEDED;
            }
            fresh.setFlag2(PendingRecord.FLAG2_HAS_EXTRAS);
        }

        final long early = earlyAcks.peek(messageId) & destinations;
        if (0 != early)
        {
            fresh.acked(fresh.acked() | early);
        }

        final int slot = admission.insert(messageId, record);
        lastSlot = slot;
        if (slot < 0)
        {
            if (metadataLength > 0)
            {
                extras.remove(messageId);
            }
            return Records.MISSING == slot ? Result.DUPLICATE_TRACK : Result.CAPACITY_EXCEEDED;
        }
        if (0 != early)
        {
            // taken only now: a refused track leaves the held acks where they were
            earlyAcks.take(messageId, early);
            counters.add(EARLY_ACKS_APPLIED, Long.bitCount(early));
        }

        if (null != stream)
        {
            stream.add(request.sequence(), messageId);
        }
        health.inFlight(0, record.awaited());
        counters.increment(TRACKED);

        if (record.ackedCount() >= requiredAcks)
        {
            finisher.finish(slot, record, RecordStatus.COMPLETED, FailureReason.NONE);
        }
        return Result.OK;
    }
}

package io.acktracker.transport;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.RefusalCode;

import java.util.ArrayList;
import java.util.List;

/**
 * Records what a client's poll hands over, one line per frame, and keeps a copy of the last receipt handle granted.
 * Used on the test thread only.
 */
final class RecordingHandler implements TrackerClientHandler
{
    final List<String> outcomes = new ArrayList<>();
    final List<String> redeliveries = new ArrayList<>();
    final List<String> refusals = new ArrayList<>();
    final List<String> grants = new ArrayList<>();
    final ReceiptHandle lastHandle = new ReceiptHandle();
    long lastDeadlineNs;

    public void onOutcome(
        final long messageId,
        final Outcome outcome,
        final FailureReason reason,
        final long latencyNs,
        final int attempts,
        final boolean replay)
    {
        outcomes.add(messageId + " " + outcome + " " + reason + " attempts=" + attempts);
    }

    public void onRedeliver(final long messageId, final int destinationId, final int attempt)
    {
        redeliveries.add(messageId + " to " + destinationId + " attempt " + attempt);
    }

    public void onRefused(
        final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
    {
        refusals.add(refusedTemplateId + " " + correlationId + " " + code);
    }

    public void onLeaseGranted(
        final long correlationId,
        final long messageId,
        final ReceiptHandle handle,
        final long leaseDeadlineNs,
        final int delivery,
        final int destinationId)
    {
        grants.add(correlationId + " " + messageId + " delivery " + delivery + " to " + destinationId);
        lastHandle.copyFrom(handle);
        lastDeadlineNs = leaseDeadlineNs;
    }
}

package io.acktracker.transport.service.soak;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.DestinationClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.RefusalCode;
import io.aeron.Aeron;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.LongHashSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The soak's destination, a process of its own with a session: learns the tracked messages by reading the sender's
 * journal (the stand-in for the message bus: a message is there once the sender's journal shows its Track
 * confirmed applied), acks each one once, and journals each ack before it offers it
 * ({@code A id sequence}), each confirmation ({@code C appliedThrough}) and each refusal told from its outbox
 * ({@code R id code}). An ack refused UNKNOWN_MESSAGE (it overtook its Track) is sent again later; no other ack is
 * ever sent twice by a process. A new process of the same destination acks again only what its predecessors'
 * acks the tracker had not applied (above its applied-through), so a confirmed ack is never needed again: if the
 * tracker lost one, its message would never complete. Exits when the file {@code exit} appears beside its journal.
 * <p>
 * Arguments: Aeron directory, journal, destination name, the sender's journal, command channel, outbound channel.
 */
public final class SoakDestination implements TrackerClientHandler
{
    private static final long RETRY_UNKNOWN_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final SoakLog log;
    private final LongArrayQueue retry = new LongArrayQueue();

    private SoakDestination(final SoakLog log)
    {
        this.log = log;
    }

    public void onOutcome(
        final long messageId, final Outcome outcome, final FailureReason reason, final long latencyNs,
        final int attempts, final boolean replay)
    {
    }

    public void onRefused(
        final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
    {
        log.write("R", correlationId, code.value());
        if (RefusalCode.UNKNOWN_MESSAGE == code)
        {
            retry.addLong(correlationId);
        }
    }

    public static void main(final String[] args) throws Exception
    {
        final String aeronDir = args[0];
        final Path journal = Path.of(args[1]);
        final String name = args[2];
        final Path senderJournal = Path.of(args[3]);
        final String commandChannel = args[4];
        final String outboundChannel = args[5];
        final Path exit = journal.resolveSibling("exit");

        final Long2LongHashMap sequenceOf = new Long2LongHashMap(0);
        final SoakLog.Cursor own = new SoakLog.Cursor();
        for (final String[] line : SoakLog.readNew(journal, own))
        {
            if (SoakLog.is(line, "A", 3, own))
            {
                sequenceOf.put(Long.parseLong(line[1]), Long.parseLong(line[2]));
            }
        }

        try (SoakLog log = new SoakLog(journal);
            SoakConnection connection = new SoakConnection(aeronDir))
        {
            final Aeron aeron = connection.aeron();
            log.write("S", 0);
            final SoakDestination handler = new SoakDestination(log);
            final DestinationClient client = new DestinationClient(aeron, commandChannel,
                Protocol.DEFAULT_INBOUND_STREAM_ID, outboundChannel, Protocol.DEFAULT_OUTBOUND_STREAM_ID, name,
                Protocol.BOUND_DESTINATION, handler, null,
                new ClientSession.Settings(ClientSession.Settings.idOf("destination-" + name), "destination-" + name)
                    .maxUnconfirmed(8192)
                    .resendTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)));
            final ClientSession session = client.publisher().session();
            connection.onReconnect(client::reconnect);
            connection.awaitBound(session, () -> client.poll(64));

            // acks the predecessors offered that the tracker did not apply are acked again; the rest never
            final long applied = session.appliedThrough();
            log.write("C", applied);
            final LongHashSet handled = new LongHashSet();
            final LongArrayQueue toAck = new LongArrayQueue();
            sequenceOf.forEachLong((id, sequence) ->
            {
                if (sequence <= applied)
                {
                    handled.add(id);
                }
            });
            System.out.println("READY destination " + name + " applied through " + applied);
            System.out.flush();

            final SoakLog.Cursor sender = new SoakLog.Cursor();
            final Long2LongHashMap trackSequence = new Long2LongHashMap(Long.MAX_VALUE);
            final org.agrona.collections.LongArrayList awaitingTrack = new org.agrona.collections.LongArrayList();
            long senderApplied = 0;
            long confirmedLogged = applied;
            long lastReadNs = 0;
            long retryDueNs = 0;
            long lastStatusNs = 0;
            while (true)
            {
                // the driver may have died (an embedded driver dies with the service): connect again, go on
                connection.checkDriver();
                int work = client.poll(256);
                if (session.appliedThrough() > confirmedLogged)
                {
                    confirmedLogged = session.appliedThrough();
                    log.write("C", confirmedLogged);
                }
                final long nowNs = System.nanoTime();
                if (nowNs - lastStatusNs > TimeUnit.SECONDS.toNanos(1))
                {
                    lastStatusNs = nowNs;
                    System.out.println(SoakSender.status(session) + " toAck=" + toAck.size());
                }
                if (nowNs - lastReadNs > TimeUnit.MILLISECONDS.toNanos(20))
                {
                    lastReadNs = nowNs;
                    if (Files.exists(exit))
                    {
                        return;
                    }
                    for (final String[] line : SoakLog.readNew(senderJournal, sender))
                    {
                        if (SoakLog.is(line, "T", 3, sender))
                        {
                            final long id = Long.parseLong(line[1]);
                            trackSequence.put(id, Long.parseLong(line[2]));
                            if (handled.add(id))
                            {
                                awaitingTrack.addLong(id);
                            }
                        }
                        else if (SoakLog.is(line, "C", 2, sender))
                        {
                            senderApplied = Math.max(senderApplied, Long.parseLong(line[1]));
                        }
                    }
                    // a destination gets a message after its Track was applied (the sender's confirmation), as a
                    // real one gets it after the sender tracked it; the last sequence journaled for an id wins (a
                    // new sender process tracks its predecessor's unapplied Tracks again under new sequences)
                    for (int i = awaitingTrack.size() - 1; i >= 0; i--)
                    {
                        final long id = awaitingTrack.getLong(i);
                        if (trackSequence.get(id) <= senderApplied)
                        {
                            toAck.addLong(id);
                            awaitingTrack.fastUnorderedRemove(i);
                        }
                    }
                }
                if (!handler.retry.isEmpty() && nowNs - retryDueNs > 0)
                {
                    retryDueNs = nowNs + RETRY_UNKNOWN_NS;
                    while (!handler.retry.isEmpty())
                    {
                        toAck.addLong(handler.retry.pollLong());
                    }
                }
                while (!toAck.isEmpty() && session.canSend())
                {
                    final long id = toAck.peekLong();
                    log.write("A", id, session.nextSequence());
                    if (client.publisher().tryAck(id) <= 0)
                    {
                        break;
                    }
                    toAck.pollLong();
                    work++;
                }
                if (0 == work)
                {
                    Thread.sleep(0, 200_000);
                }
            }
        }
    }
}

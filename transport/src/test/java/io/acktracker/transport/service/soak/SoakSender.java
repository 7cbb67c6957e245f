package io.acktracker.transport.service.soak;

import io.acktracker.engine.api.FailureReason;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.transport.Protocol;
import io.acktracker.transport.client.ClientSession;
import io.acktracker.transport.client.TrackerClient;
import io.acktracker.transport.client.TrackerClientHandler;
import io.acktracker.transport.codecs.RefusalCode;
import io.aeron.Aeron;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The soak's sender, a process of its own: tracks messages at a fixed rate with a session and journals
 * ({@link SoakLog}) each Track before it offers it ({@code T id sequence}), each confirmation
 * ({@code C appliedThrough}), each outcome its application is handed ({@code O id outcome replay process}) and each
 * refusal ({@code R id code}). A new process of the same sender reads the journal: once bound, it knows from the
 * tracker's applied-through which of its predecessor's Tracks were applied, and tracks the others again (they were
 * never applied, so this is their first application). It stops tracking when the file {@code stop-tracks} appears
 * beside its journal and exits when {@code exit} appears.
 * <p>
 * Arguments: Aeron directory, journal, client name, Tracks per second, command channel, outcome channel.
 */
public final class SoakSender implements TrackerClientHandler
{
    private final SoakLog log;
    private final int process;

    private SoakSender(final SoakLog log, final int process)
    {
        this.log = log;
        this.process = process;
    }

    public void onOutcome(
        final long messageId, final Outcome outcome, final FailureReason reason, final long latencyNs,
        final int attempts, final boolean replay)
    {
        log.write("O", messageId, outcome.ordinal(), replay ? 1 : 0, process);
    }

    public void onRefused(
        final int refusedTemplateId, final long correlationId, final RefusalCode code, final int destinationId)
    {
        log.write("R", correlationId, code.value());
    }

    static String status(final ClientSession session)
    {
        return "status bound=" + session.isBound() + " incarnation=" + session.incarnation() + " applied=" +
            session.appliedThrough() + " unconfirmed=" + session.unconfirmed() + " resends=" + session.resends() +
            " opens=" + session.opens() + " outbox=" + session.outboxReceived() + " skipped=" +
            session.entriesSkipped();
    }

    public static void main(final String[] args) throws Exception
    {
        final String aeronDir = args[0];
        final Path journal = Path.of(args[1]);
        final String name = args[2];
        final long ratePerSecond = Long.parseLong(args[3]);
        final String commandChannel = args[4];
        final String outcomeChannel = args[5];
        final Path stopTracks = journal.resolveSibling("stop-tracks");
        final Path exit = journal.resolveSibling("exit");

        // what the predecessors journaled: the last sequence each Track was offered with, and the highest id
        final Long2LongHashMap sequenceOf = new Long2LongHashMap(0);
        long lastId = 0;
        int processes = 0;
        final SoakLog.Cursor cursor = new SoakLog.Cursor();
        for (final String[] line : SoakLog.readNew(journal, cursor))
        {
            if (SoakLog.is(line, "T", 3, cursor))
            {
                final long id = Long.parseLong(line[1]);
                sequenceOf.put(id, Long.parseLong(line[2]));
                lastId = Math.max(lastId, id);
            }
            else if (SoakLog.is(line, "S", 2, cursor))
            {
                processes++;
            }
        }

        final int process = processes + 1;
        try (SoakLog log = new SoakLog(journal);
            SoakConnection connection = new SoakConnection(aeronDir))
        {
            final Aeron aeron = connection.aeron();
            log.write("S", process);
            final TrackerClient client = new TrackerClient(aeron, commandChannel, Protocol.DEFAULT_INBOUND_STREAM_ID,
                outcomeChannel, Protocol.DEFAULT_OUTBOUND_STREAM_ID, new SoakSender(log, process),
                new ClientSession.Settings(ClientSession.Settings.idOf(name), name)
                    .maxUnconfirmed(8192)
                    .resendTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500)));
            final ClientSession session = client.session();
            connection.onReconnect(client::reconnect);
            connection.awaitBound(session, () -> client.poll(64));

            // the predecessors' Tracks above the tracker's applied-through were never applied: track them again
            final long applied = session.appliedThrough();
            log.write("C", applied);
            final LongArrayList again = new LongArrayList();
            sequenceOf.forEachLong((id, sequence) ->
            {
                if (sequence > applied)
                {
                    again.addLong(id);
                }
            });
            again.sort(null);
            System.out.println("READY process " + process + " applied through " + applied + ", tracking " +
                again.size() + " again");
            System.out.flush();

            final TrackRequest request = new TrackRequest();
            final long startNs = System.nanoTime();
            long offered = 0;
            int againIndex = 0;
            long nextId = lastId + 1;
            long confirmedLogged = applied;
            boolean tracking = true;
            long lastFileCheckNs = 0;
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
                    System.out.println(status(session));
                }
                if (nowNs - lastFileCheckNs > TimeUnit.MILLISECONDS.toNanos(50))
                {
                    lastFileCheckNs = nowNs;
                    tracking = !Files.exists(stopTracks);
                    if (Files.exists(exit))
                    {
                        return;
                    }
                }
                final long due = tracking || againIndex < again.size() ?
                    (nowNs - startNs) * ratePerSecond / TimeUnit.SECONDS.toNanos(1) : 0;
                while (offered < due && session.canSend() && (tracking || againIndex < again.size()))
                {
                    final long id = againIndex < again.size() ? again.getLong(againIndex) : nextId;
                    // journaled before it is offered: a kill between the two leaves a Track never applied, which
                    // the next process tracks again
                    log.write("T", id, session.nextSequence());
                    request.reset().messageId(id).destinations(0b11);
                    if (client.tryTrack(request) <= 0)
                    {
                        break;
                    }
                    if (againIndex < again.size())
                    {
                        againIndex++;
                    }
                    else
                    {
                        nextId++;
                    }
                    offered++;
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

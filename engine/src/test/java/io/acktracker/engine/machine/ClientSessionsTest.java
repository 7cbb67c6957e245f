package io.acktracker.engine.machine;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.TestClock;
import io.acktracker.engine.Trackers;
import io.acktracker.engine.agent.TrackerAgent;
import io.acktracker.engine.api.Outcome;
import io.acktracker.engine.api.Result;
import io.acktracker.engine.api.TrackRequest;
import io.acktracker.engine.api.TrackerConfig;
import io.acktracker.engine.command.CommandEncoder;
import io.acktracker.engine.command.CommandLayout;
import io.acktracker.engine.effect.Effects;
import io.acktracker.engine.metrics.TrackerCounter;
import io.acktracker.engine.state.StateImage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.acktracker.engine.Trackers.START_NS;
import static io.acktracker.engine.Trackers.drain;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client sessions: each numbered command applied once (resends and gaps change nothing), confirmations batched per
 * duty cycle, and the outbox that keeps what a client is owed (outcomes, redeliveries, refusals) until it confirms,
 * bounded by reservations, across a restart of a journaled tracker.
 */
class ClientSessionsTest
{
    private static final long SENDER = 0x5E4DE4L;
    private static final long OTHER = 77;

    private final TestClock clock = new TestClock(START_NS);
    private final Trackers.Outcomes outcomes = new Trackers.Outcomes();
    private final List<long[]> confirmations = new ArrayList<>();
    private final UnsafeBuffer command = new UnsafeBuffer(new byte[256]);
    private final TrackRequest request = new TrackRequest();
    private final List<AckTracker> opened = new ArrayList<>();
    private AckTracker tracker;
    private TrackerAgent agent;

    @TempDir
    Path dataDir;

    @AfterEach
    void close()
    {
        opened.forEach(AckTracker::close);
    }

    private TrackerConfig config()
    {
        return Trackers.config(clock, outcomes)
            .maxClients(2)
            .outboxCapacity(16)
            .confirmationListener((client, applied, written) -> confirmations.add(new long[]{client, applied, written}));
    }

    private void open(final TrackerConfig config)
    {
        tracker = AckTracker.open(config);
        opened.add(tracker);
        agent = tracker.agent();
    }

    private Result openSession(final long client, final long applied, final long outboxConfirmed)
    {
        final int length = CommandEncoder.sessionOpen(command, 0, client, applied, outboxConfirmed);
        return agent.apply(CommandLayout.SESSION_OPEN, command, 0, length);
    }

    private Result confirmOutbox(final long client, final long through)
    {
        final int length = CommandEncoder.outboxConfirm(command, 0, client, through);
        return agent.apply(CommandLayout.OUTBOX_CONFIRM, command, 0, length);
    }

    private Result track(final long client, final long sequence, final long messageId)
    {
        final int body = CommandEncoder.track(command, 0, request.reset().messageId(messageId).destinations(0b11),
            false);
        final int length = CommandEncoder.numbered(command, 0, body, client, sequence);
        return agent.apply(CommandLayout.TRACK | CommandLayout.SEQUENCED, command, 0, length);
    }

    private Result ack(final long client, final long sequence, final long messageId, final int destination)
    {
        final int body = CommandEncoder.ack(command, 0, messageId, destination);
        final int length = CommandEncoder.numbered(command, 0, body, client, sequence);
        return agent.apply(CommandLayout.ACK | CommandLayout.SEQUENCED, command, 0, length);
    }

    private Result queueAck(final long client, final long sequence, final long messageId, final int destination)
    {
        final int body = CommandEncoder.ack(command, 0, messageId, destination);
        final int length = CommandEncoder.numbered(command, 0, body, client, sequence);
        return tracker.offerCommand(CommandLayout.ACK | CommandLayout.SEQUENCED, command, 0, length);
    }

    private StateImage image()
    {
        final StateImage image = new StateImage();
        agent.appendState(image);
        return image;
    }

    private long counter(final TrackerCounter counter)
    {
        return tracker.counters().value(counter);
    }

    private ClientSessions sessions()
    {
        return agent.sessions();
    }

    @Test
    void shouldApplyEachNumberedCommandOnceAndChangeNothingForAResendOrAGap()
    {
        open(config());
        assertThat(openSession(SENDER, 0, 0)).isEqualTo(Result.OK);
        assertThat(track(SENDER, 1, 10)).isEqualTo(Result.OK);
        assertThat(track(SENDER, 2, 11)).isEqualTo(Result.OK);
        final StateImage before = image();

        assertThat(track(SENDER, 2, 11)).isEqualTo(Result.DUPLICATE_COMMAND);
        assertThat(track(SENDER, 1, 10)).isEqualTo(Result.DUPLICATE_COMMAND);
        assertThat(track(SENDER, 4, 12)).isEqualTo(Result.SEQUENCE_GAP);
        assertThat(track(OTHER, 1, 13)).isEqualTo(Result.UNKNOWN_CLIENT);

        final StateImage after = image();
        // only the refusal counters moved
        assertThat(before.firstDifference(after)).endsWith("in section 'counters'");
        assertThat(agent.pendingCount()).isEqualTo(2);
        assertThat(counter(TrackerCounter.DUPLICATE_COMMANDS)).isEqualTo(2);
        assertThat(counter(TrackerCounter.SEQUENCE_GAPS)).isEqualTo(1);
        assertThat(counter(TrackerCounter.UNKNOWN_CLIENT_COMMANDS)).isEqualTo(1);
        final int index = sessions().indexOf(SENDER);
        assertThat(sessions().appliedThrough(index)).isEqualTo(2);

        // the gap's own sequence is still free: the next command takes 3
        assertThat(track(SENDER, 3, 12)).isEqualTo(Result.OK);
        assertThat(sessions().appliedThrough(index)).isEqualTo(3);
    }

    @Test
    void shouldConfirmOncePerDutyCyclePerClientNotOncePerCommand()
    {
        open(config());
        openSession(SENDER, 0, 0);
        track(SENDER, 1, 10);
        agent.doWork();
        confirmations.clear();

        for (int sequence = 1; sequence <= 5; sequence++)
        {
            assertThat(queueAck(SENDER, sequence, 10, 1 - sequence % 2)).isEqualTo(Result.QUEUED);
        }
        agent.doWork();
        // seq 1 is a resend (the track used it); 2 and 3 complete message 10; 4 and 5 are late acks, refusals kept
        // in the outbox with the outcome: one confirmation for all of them
        assertThat(confirmations).hasSize(1);
        assertThat(confirmations.get(0)).containsExactly(SENDER, 5, 3);
        assertThat(counter(TrackerCounter.DUPLICATE_COMMANDS)).isEqualTo(1);
        assertThat(outcomes.count()).isEqualTo(1);

        confirmations.clear();
        for (int sequence = 2; sequence <= 3; sequence++)
        {
            tracker.offerCommand(CommandLayout.ACK | CommandLayout.SEQUENCED, encodeAck(SENDER, sequence, 10,
                sequence - 2), 0, CommandLayout.ACK_LENGTH + CommandLayout.SEQUENCE_TRAILER_LENGTH);
        }
        agent.doWork();
        assertThat(confirmations).as("resends are confirmed again, once").hasSize(1);
        assertThat(confirmations.get(0)).containsExactly(SENDER, 5, 3);
        assertThat(counter(TrackerCounter.DUPLICATE_COMMANDS)).isEqualTo(3);
        assertThat(outcomes.count()).isEqualTo(1);

        confirmations.clear();
        agent.doWork();
        assertThat(confirmations).as("nothing numbered this cycle: nothing to confirm").isEmpty();
    }

    private UnsafeBuffer encodeAck(final long client, final long sequence, final long messageId, final int destination)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        CommandEncoder.numbered(buffer, 0, CommandEncoder.ack(buffer, 0, messageId, destination), client, sequence);
        return buffer;
    }

    @Test
    void shouldKeepOutcomesAndRefusalsInTheSendersOutboxUntilConfirmed()
    {
        open(config());
        openSession(SENDER, 0, 0);
        track(SENDER, 1, 10);
        assertThat(ack(SENDER, 2, 99, 0)).isEqualTo(Result.UNKNOWN_MESSAGE);
        ack(SENDER, 3, 10, 0);
        ack(SENDER, 4, 10, 1);
        drain(agent);

        final Outboxes outboxes = sessions().outboxes();
        final int index = sessions().indexOf(SENDER);
        assertThat(outboxes.written(index)).isEqualTo(2);
        final List<String> entries = new ArrayList<>();
        for (long number = 1; number <= 2; number++)
        {
            outboxes.read(index, number, new Recorder(entries));
            entries.add("seq " + outboxes.refusalSequence(index, number));
        }
        assertThat(entries).containsExactly(
            "refusal ACK 99 UNKNOWN_MESSAGE", "seq 2",
            "outcome 10 COMPLETED flags " + Effects.FLAG_OUTBOX, "seq 0");
        assertThat(outcomes.last().messageId()).isEqualTo(10);

        assertThat(confirmOutbox(SENDER, 3)).as("beyond what was written").isEqualTo(Result.INVALID_ARGUMENT);
        assertThat(confirmOutbox(SENDER, 1)).isEqualTo(Result.OK);
        assertThat(outboxes.confirmed(index)).isEqualTo(1);
        assertThat(confirmOutbox(SENDER, 0)).as("idempotent, never backwards").isEqualTo(Result.OK);
        assertThat(outboxes.confirmed(index)).isEqualTo(1);
    }

    @Test
    void shouldRefuseANumberedCommandWithoutUsingItsSequenceWhenTheOutboxIsFull()
    {
        open(config());
        openSession(SENDER, 0, 0);
        for (int i = 1; i <= 16; i++)
        {
            assertThat(track(SENDER, i, 100 + i)).isEqualTo(Result.OK);
        }
        final StateImage before = image();
        assertThat(track(SENDER, 17, 117)).isEqualTo(Result.OUTBOX_FULL);
        assertThat(before.firstDifference(image())).endsWith("in section 'counters'");
        assertThat(counter(TrackerCounter.OUTBOX_FULL_REFUSALS)).isEqualTo(1);

        // the outcomes fill what was reserved; only the client's confirmation makes room
        for (int i = 1; i <= 16; i++)
        {
            agent.recordAck(100 + i, 0);
            agent.recordAck(100 + i, 1);
        }
        final int index = sessions().indexOf(SENDER);
        assertThat(sessions().outboxes().written(index)).isEqualTo(16);
        assertThat(track(SENDER, 17, 117)).isEqualTo(Result.OUTBOX_FULL);
        assertThat(confirmOutbox(SENDER, 16)).isEqualTo(Result.OK);
        assertThat(track(SENDER, 17, 117)).isEqualTo(Result.OK);
    }

    @Test
    void shouldAdoptAClientThatConfirmedMoreThanThisStateHoldsAndRefuseBeyondMaxClients()
    {
        open(config());
        assertThat(openSession(SENDER, 10, 0)).isEqualTo(Result.OK);
        assertThat(counter(TrackerCounter.SESSIONS_ADOPTED)).isEqualTo(1);
        assertThat(track(SENDER, 10, 1)).isEqualTo(Result.DUPLICATE_COMMAND);
        assertThat(track(SENDER, 11, 1)).isEqualTo(Result.OK);

        assertThat(openSession(OTHER, 0, 0)).isEqualTo(Result.OK);
        assertThat(openSession(3, 0, 0)).isEqualTo(Result.CLIENTS_FULL);
        assertThat(counter(TrackerCounter.SESSIONS_REFUSED)).isEqualTo(1);
        assertThat(openSession(OTHER, -1, 0)).isEqualTo(Result.INVALID_ARGUMENT);
        // binding again keeps the session
        assertThat(openSession(SENDER, 0, 0)).isEqualTo(Result.OK);
        assertThat(sessions().appliedThrough(sessions().indexOf(SENDER))).isEqualTo(11);
    }

    @Test
    void shouldKeepSessionsAndOutboxesAcrossARestart()
    {
        open(config().dataDir(dataDir).journal(true).checkpointAtClose(false));
        openSession(SENDER, 0, 0);
        track(SENDER, 1, 10);
        track(SENDER, 2, 11);
        ack(SENDER, 3, 10, 0);
        ack(SENDER, 4, 10, 1);
        drain(agent);
        final StateImage before = image();
        final int index = sessions().indexOf(SENDER);
        assertThat(sessions().outboxes().written(index)).isEqualTo(1);
        tracker.close();

        outcomes.seen.clear();
        open(config().dataDir(dataDir).journal(true).checkpointAtClose(false));
        drain(agent);
        // the journal replayed: the same sessions, the same outbox
        assertThat(image().firstDifference(before)).isNull();
        assertThat(track(SENDER, 2, 11)).as("a resend after the restart").isEqualTo(Result.DUPLICATE_COMMAND);
        assertThat(sessions().outboxes().written(sessions().indexOf(SENDER))).isEqualTo(1);
        assertThat(track(SENDER, 5, 12)).isEqualTo(Result.OK);
    }

    @Test
    void shouldNotKeepAnOutcomeTwiceWhenARestartTellsItAgain()
    {
        // the telling of the outcome fails the tracker (as a crash between the outcome's journal frame and its
        // OUTCOME_TOLD would stop it): the record stays TELLING, and the restart tells the outcome again
        final boolean[] crash = {true};
        final TrackerConfig config = config().dataDir(dataDir).journal(true).checkpointAtClose(false)
            .outcomeListener((messageId, outcome, reason, latencyNs, attempts, replay) ->
            {
                outcomes.onOutcome(messageId, outcome, reason, latencyNs, attempts, replay);
                if (crash[0])
                {
                    crash[0] = false;
                    throw new InternalError("simulated crash while telling");
                }
            });
        open(config);
        openSession(SENDER, 0, 0);
        track(SENDER, 1, 10);
        ack(SENDER, 2, 10, 0);
        assertThat(ack(SENDER, 3, 10, 1)).isEqualTo(Result.TRACKER_FAILED);
        assertThat(sessions().outboxes().written(sessions().indexOf(SENDER))).isEqualTo(1);
        tracker.close();

        outcomes.seen.clear();
        open(config);
        drain(agent);
        assertThat(outcomes.seen).extracting(Trackers.Seen::messageId, Trackers.Seen::replay)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(10L, true));
        final int index = sessions().indexOf(SENDER);
        assertThat(sessions().outboxes().written(index)).as("kept once").isEqualTo(1);
        final Recorder recorder = new Recorder(new ArrayList<>());
        sessions().outboxes().read(index, 1, recorder);
        assertThat(recorder.entries).containsExactly("outcome 10 COMPLETED flags " + Effects.FLAG_OUTBOX);
        assertThat(agent.pendingCount()).isZero();
    }

    /**
     * A numbered ack that overtook its Track was confirmed as applied (held), so its destination would never send it
     * again: when the early-ack window ends first, the destination's outbox tells it the ack was refused (an entry
     * reserved when it was held); a held ack whose Track came in time only frees its reservation. Across a restart in
     * the middle the journal's replay holds the same acks and ends them the same way.
     */
    @Test
    void shouldTellADestinationItsHeldAckWasDroppedWhenTheWindowEndedBeforeItsTrack()
    {
        final TrackerConfig config = config().earlyAckWindowNs(50_000_000L).dataDir(dataDir).journal(true)
            .checkpointAtClose(false);
        open(config);
        openSession(SENDER, 0, 0);
        openSession(OTHER, 0, 0);
        final int destination = sessions().indexOf(OTHER);
        assertThat(ack(OTHER, 1, 500, 0)).as("overtook a Track that never comes").isEqualTo(Result.HELD);
        assertThat(ack(OTHER, 2, 501, 0)).as("overtook its Track").isEqualTo(Result.HELD);
        assertThat(ack(OTHER, 3, 500, 0)).as("again: held with the first").isEqualTo(Result.HELD);
        assertThat(sessions().outboxes().reserved(destination)).as("one entry per ack held apart").isEqualTo(2);
        assertThat(track(SENDER, 1, 501)).isEqualTo(Result.OK);
        drain(agent);
        final StateImage held = image();
        tracker.close();

        open(config);
        drain(agent);
        assertThat(image().firstDifference(held)).as("replayed").isNull();
        clock.advanceMs(60);
        drain(agent);

        assertThat(sessions().outboxes().reserved(destination)).isZero();
        assertThat(sessions().outboxes().written(destination)).isEqualTo(1);
        final List<String> entries = new ArrayList<>();
        sessions().outboxes().read(destination, 1, new Recorder(entries));
        entries.add("seq " + sessions().outboxes().refusalSequence(destination, 1));
        assertThat(entries).containsExactly("refusal ACK 500 UNKNOWN_MESSAGE", "seq 1");
        assertThat(counter(TrackerCounter.ORPHAN_ACKS)).isEqualTo(1);
        assertThat(counter(TrackerCounter.EARLY_ACKS_APPLIED)).isEqualTo(1);
        // the ack held for 501 was applied with its Track: the other destination's ack completes it
        assertThat(ack(OTHER, 4, 501, 1)).isEqualTo(Result.COMPLETED);
    }

    /** Writes entries as text. */
    private static final class Recorder implements Effects.Handler
    {
        final List<String> entries;

        Recorder(final List<String> entries)
        {
            this.entries = entries;
        }

        public void onOutcome(
            final long messageId, final int outcome, final int reason, final long latencyNs, final int attempts,
            final int flags, final int slot)
        {
            entries.add("outcome " + messageId + " " + Outcome.values()[outcome] + " flags " + flags);
        }

        public void onRedelivery(final long messageId, final int destination, final int attempt)
        {
            entries.add("redelivery " + messageId + " " + destination + " " + attempt);
        }

        public void onRefusal(final int commandType, final long id, final int result, final int flags)
        {
            entries.add("refusal " + CommandLayout.name(commandType) + " " + id + " " + Result.values()[result]);
        }

        public void onCircuit(final int destination, final int from, final int to, final long nowNs)
        {
            entries.add("circuit " + destination);
        }
    }
}

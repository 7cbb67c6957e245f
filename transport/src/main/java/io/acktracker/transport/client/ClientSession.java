package io.acktracker.transport.client;

import io.acktracker.transport.Protocol;
import io.acktracker.transport.auth.ClientProof;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.acktracker.transport.codecs.OutboxConfirmEncoder;
import io.acktracker.transport.codecs.RefusalCode;
import io.acktracker.transport.codecs.SessionOpenEncoder;
import io.aeron.ExclusivePublication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The client half of a session with a tracker (see PROTOCOL.md, "Sessions"): numbers the client's commands, keeps
 * each until the tracker confirms it applied it ({@link RetransmitBuffer}), and sends them again whenever they may
 * not have arrived; takes the client's outbox entries once each, in order; and binds again by itself when the
 * tracker restarts (a new incarnation), when the connection comes back, or when nothing it sent was confirmed for
 * the resend timeout.
 * <p>
 * The rules that make it exactly once:
 * <ul>
 *   <li>The tracker applies a client's sequence once and in order; a resend is answered by confirmation only. So
 *   everything unconfirmed may be sent again at any time, in order, after a SessionOpen.</li>
 *   <li>Outbox entries are numbered; an entry is handed on only when it is the next one. An older one is a resend
 *   (skipped); a newer one means one was lost on the way, and binding again makes the tracker send everything after
 *   what this client has.</li>
 *   <li>A fresh client (a new process) has no sequence yet: it sends nothing numbered until the tracker's first
 *   SessionConfirm tells it where its sequence and outbox stand. Entries the tracker had written before that are
 *   handed on marked as possibly told to the process before (at least once across a crash of the client).</li>
 * </ul>
 * A client with a key ({@link Settings#key}) proves its client id each time it opens its session: it sends a
 * SessionOpen asking for a challenge, and on the tracker's SessionChallenge a SessionOpen with the proof
 * ({@link ClientProof}); it sends and resends nothing numbered in between. A numbered command refused
 * UNAUTHENTICATED (the tracker no longer knows the proof: it restarted, or this publication's image is new) makes it
 * prove its id again and resend.
 * <p>
 * The session speaks over a {@link TrackerLink}: plain Aeron, or a replicated tracker's cluster ingress and egress.
 * When the link's path changes by itself ({@link TrackerLink#epoch()}: a new cluster leader, a new cluster session),
 * frames offered the old way may be lost, so the session binds again and resends, as after a reconnect.
 * <p>
 * Allocation-free per command and per frame. Threading: one thread, the client's.
 */
public final class ClientSession
{
    /** {@link #onEntry}: hand the entry on. */
    public static final int NEW = 1;
    /** {@link #onEntry}: hand the entry on, marked: the client process before this one may have had it. */
    public static final int NEW_MAYBE_SEEN = 2;
    /** {@link #onEntry}: already had it; skip. */
    public static final int SEEN = 0;
    /** {@link #onEntry}: not the next one (one was lost, or the session is not bound yet); skip. */
    public static final int OUT_OF_ORDER = -1;

    /** What a session needs: who the client is and how it resends. */
    public static final class Settings
    {
        private final long clientId;
        private final String name;
        private int maxUnconfirmed = 4096;
        private long resendTimeoutNs = TimeUnit.SECONDS.toNanos(1);
        private NanoClock clock = SystemNanoClock.INSTANCE;
        private byte[] key;

        /**
         * @param clientId the client's stable id: the same for every run of the same client, unique among the
         *                 tracker's clients (derive it from a configured name with {@link #idOf(String)}).
         * @param name     its name, for the tracker's logs.
         */
        public Settings(final long clientId, final String name)
        {
            if (0 == clientId)
            {
                throw new IllegalArgumentException("client id 0 means no client");
            }
            this.clientId = clientId;
            this.name = name;
        }

        /**
         * Most commands sent and not yet confirmed: beyond it, sending is refused (back pressure). A power of two.
         * Default 4096 (2 MiB off-heap).
         *
         * @param maxUnconfirmed commands.
         * @return this.
         */
        public Settings maxUnconfirmed(final int maxUnconfirmed)
        {
            this.maxUnconfirmed = maxUnconfirmed;
            return this;
        }

        /**
         * How long commands may stay unconfirmed with no progress before the session binds again and resends them
         * (what recovers commands offered into a driver or tracker that died). Default 1 s.
         *
         * @param resendTimeoutNs nanoseconds.
         * @return this.
         */
        public Settings resendTimeoutNs(final long resendTimeoutNs)
        {
            this.resendTimeoutNs = resendTimeoutNs;
            return this;
        }

        /**
         * The client's key, as in the tracker's client key file under the name this client's id is derived from
         * ({@link #idOf(String)}): with it the session proves its id at every open (read it from an owner-only file,
         * e.g. with {@code DestinationKeys.load}; never from a command line). Default none: the tracker takes the id
         * on its word, and refuses the session UNAUTHENTICATED when it has a key for it.
         *
         * @param key the key's ASCII bytes, or null for none.
         * @return this.
         */
        public Settings key(final byte[] key)
        {
            this.key = null == key ? null : key.clone();
            return this;
        }

        /**
         * The clock of the resend timeout (tests inject one).
         *
         * @param clock the clock.
         * @return this.
         */
        public Settings clock(final NanoClock clock)
        {
            this.clock = clock;
            return this;
        }

        /**
         * A stable 64-bit client id from a configured name: FNV-1a over its UTF-8 bytes (never 0).
         *
         * @param name the client's name.
         * @return its id.
         */
        public static long idOf(final String name)
        {
            long hash = 0xcbf29ce484222325L;
            for (final byte b : name.getBytes(StandardCharsets.UTF_8))
            {
                hash ^= b & 0xFF;
                hash *= 0x100000001b3L;
            }
            return 0 == hash ? 1 : hash;
        }
    }

    private final long clientId;
    private final byte[] name;
    private final long resendTimeoutNs;
    private final NanoClock clock;
    private TrackerLink link;
    private long linkEpoch;
    private final RetransmitBuffer unconfirmed;
    private final UnsafeBuffer control = new UnsafeBuffer(ByteBuffer.allocateDirect(Protocol.MAX_FRAME_LENGTH));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SessionOpenEncoder openEncoder = new SessionOpenEncoder();
    private final OutboxConfirmEncoder outboxConfirmEncoder = new OutboxConfirmEncoder();
    private final HmacSha256 mac;
    private final byte[] nonce = new byte[HelloProof.NONCE_LENGTH];
    private final byte[] proof = new byte[HelloProof.LENGTH];
    private final UnsafeBuffer nonceView = new UnsafeBuffer(nonce);
    private final ResendPacer pacer;
    private boolean awaitingChallenge;
    private boolean proofDue;
    private boolean openAnswerable;
    private long authenticationRefusals;

    private long incarnation;
    private boolean bound;
    private boolean wasConnected;
    private boolean openDue = true;
    private long resendNext;
    private long resentThrough;
    private long offeredThrough;
    private long outboxReceived;
    private long outboxConfirmSent;
    private long maybeSeenThrough;
    private long lastProgressNs;
    private long lastOpenNs;
    private long resendNotBeforeNs;
    private long resends;
    private long deferredSends;
    private long reopens;
    private long entriesSkipped;

    /**
     * The session of one client over its exclusive publication to the tracker.
     *
     * @param settings    who the client is.
     * @param publication the client's publication to the tracker (only this session's owner offers on it).
     */
    public ClientSession(final Settings settings, final ExclusivePublication publication)
    {
        this(settings, new AeronTrackerLink(publication, null));
    }

    /**
     * The session of one client over its link to the tracker: plain Aeron or a cluster's ingress
     * ({@link TrackerLinks}).
     *
     * @param settings who the client is.
     * @param link     the client's link to the tracker (only this session's owner offers on it; it polls it too).
     */
    public ClientSession(final Settings settings, final TrackerLink link)
    {
        this.clientId = settings.clientId;
        this.name = settings.name.getBytes(StandardCharsets.US_ASCII);
        this.resendTimeoutNs = settings.resendTimeoutNs;
        this.clock = settings.clock;
        this.link = link;
        this.linkEpoch = link.epoch();
        this.unconfirmed = new RetransmitBuffer(settings.maxUnconfirmed);
        this.mac = null == settings.key ? null : new HmacSha256(settings.key);
        this.pacer = new ResendPacer(settings.resendTimeoutNs, settings.maxUnconfirmed);
        this.lastProgressNs = clock.nanoTime();
        this.resendNotBeforeNs = lastProgressNs;
    }

    /**
     * This client's id, in every command it sends.
     *
     * @return the id.
     */
    public long clientId()
    {
        return clientId;
    }

    /**
     * Go on over a new publication: the old one went with its Aeron client (the media driver died, as an embedded
     * driver does with the tracker process that ran it). The session binds again once it is connected and sends
     * everything unconfirmed again, in order: a command offered into the dead driver is never lost.
     *
     * @param publication the client's new publication to the tracker.
     */
    public void reconnect(final ExclusivePublication publication)
    {
        reconnect(new AeronTrackerLink(publication, null));
    }

    /**
     * Go on over a new link (the old one is closed, or its media driver died): the session binds again once the new
     * one is connected and sends everything unconfirmed again, in order.
     *
     * @param link the client's new link to the tracker.
     */
    public void reconnect(final TrackerLink link)
    {
        this.link = link;
        this.linkEpoch = link.epoch();
        onNewPath();
    }

    /** The path to the tracker changed (a new link, a new cluster leader or session): bind again, then resend. */
    private void onNewPath()
    {
        wasConnected = false;
        openDue = true;
        awaitingChallenge = false;
        proofDue = false;
        resendNext = 0;
    }

    /**
     * Whether a command can be numbered and sent now: the session is bound (its sequence is known) and the
     * retransmit buffer has room.
     *
     * @return true when {@link #send} will take a command.
     */
    public boolean canSend()
    {
        return bound && !unconfirmed.isFull();
    }

    /**
     * The sequence the next command gets: encode it into the frame before {@link #send}.
     *
     * @return the sequence.
     */
    public long nextSequence()
    {
        return unconfirmed.lastSequence() + 1;
    }

    /**
     * Keep a numbered frame until it is confirmed, and offer it now unless a resend is under way (then the resend
     * reaches it, in order).
     *
     * @param frame  the encoded frame, numbered {@link #nextSequence()}.
     * @param offset where it starts.
     * @param length its length.
     * @return its sequence.
     * @throws IllegalStateException when {@link #canSend()} is false.
     */
    public long send(final DirectBuffer frame, final int offset, final int length)
    {
        if (!canSend())
        {
            throw new IllegalStateException("session not bound or retransmit buffer full");
        }
        final long sequence = unconfirmed.append(frame, offset, length);
        if (0 == unconfirmed.size() - 1)
        {
            lastProgressNs = clock.nanoTime();
        }
        if (0 != resendNext || isProving())
        {
            // a resend is under way: it reaches this one, in order (or the id is being proved: the open's resend
            // reaches it)
            if (0 == resendNext)
            {
                resendNext = sequence;
            }
            return sequence;
        }
        if (link.offer(frame, offset, length) < 0)
        {
            // not sent now: the resend loop takes it from here, in order
            resendNext = sequence;
        }
        else
        {
            offeredThrough = sequence;
        }
        return sequence;
    }

    /**
     * Whether the tracker confirmed a command as applied.
     *
     * @param sequence the command's sequence.
     * @return true once applied (whatever its result; a refusal arrives as an outbox entry).
     */
    public boolean isApplied(final long sequence)
    {
        return sequence <= unconfirmed.confirmedThrough();
    }

    /**
     * A SessionConfirm for this client: the first after an open binds the session; a new incarnation (the tracker
     * restarted) makes the session bind again and resend.
     *
     * @param trackerIncarnation the tracker's incarnation (changes when it restarts).
     * @param appliedThrough     the last of this client's command sequences the tracker applied.
     * @param outboxWritten      the last outbox position the tracker wrote for this client.
     * @param outboxConfirmed    the last outbox position the tracker knows this client received.
     */
    public void onSessionConfirm(
        final long trackerIncarnation, final long appliedThrough, final long outboxWritten, final long outboxConfirmed)
    {
        if (!bound && !openAnswerable)
        {
            // not an answer to an open of this session (none went out yet, or with a key its proof did not, or it
            // was refused since): a confirmation names a client id, not a session, and another process using this
            // id (a misconfiguration, or an impostor without the key) must not bind this one
            return;
        }
        if (0 != incarnation && trackerIncarnation != incarnation)
        {
            // a restarted tracker: what it applied is in its journal; everything unconfirmed goes again
            openDue = true;
        }
        incarnation = trackerIncarnation;
        if (!bound)
        {
            bound = true;
            if (unconfirmed.lastSequence() < appliedThrough)
            {
                // a fresh client: the tracker applied this client's commands through here, from an earlier process
                unconfirmed.reset(appliedThrough);
            }
            if (outboxReceived < outboxConfirmed)
            {
                outboxReceived = outboxConfirmed;
                outboxConfirmSent = outboxConfirmed;
                maybeSeenThrough = outboxWritten;
            }
            resendNext = unconfirmed.confirmedThrough() < unconfirmed.lastSequence() ?
                unconfirmed.confirmedThrough() + 1 : 0;
        }
        if (appliedThrough > unconfirmed.confirmedThrough())
        {
            unconfirmed.confirm(appliedThrough);
            lastProgressNs = clock.nanoTime();
            pacer.onProgress();
            if (0 != resendNext && resendNext <= unconfirmed.confirmedThrough())
            {
                resendNext = unconfirmed.confirmedThrough() < unconfirmed.lastSequence() ?
                    unconfirmed.confirmedThrough() + 1 : 0;
            }
        }
    }

    /**
     * An outbox entry for this client arrived: hand it on only if it is the next one.
     *
     * @param entry its number.
     * @return {@link #NEW}, {@link #NEW_MAYBE_SEEN}, {@link #SEEN} or {@link #OUT_OF_ORDER}.
     */
    public int onEntry(final long entry)
    {
        if (!bound)
        {
            entriesSkipped++;
            return OUT_OF_ORDER;
        }
        if (entry <= outboxReceived)
        {
            entriesSkipped++;
            return SEEN;
        }
        if (entry != outboxReceived + 1)
        {
            // one was lost on the way: binding again makes the tracker send everything after what we have
            entriesSkipped++;
            openDue = true;
            return OUT_OF_ORDER;
        }
        outboxReceived = entry;
        return entry <= maybeSeenThrough ? NEW_MAYBE_SEEN : NEW;
    }

    /**
     * The tracker refused a numbered command without using its sequence.
     *
     * @param code     why.
     * @param sequence the command's sequence.
     */
    public void onSessionRefused(final RefusalCode code, final long sequence)
    {
        switch (code)
        {
            case UNKNOWN_CLIENT:
            case CLIENTS_FULL:
                openDue = true;
                bound = false;
                break;
            case UNAUTHENTICATED:
                // the tracker does not take this client's commands from this publication (it restarted and wants a
                // proof, or this publication's image is not the one the session was opened from): open again (a
                // client with a key proves its id again), and the open resends everything unconfirmed; not more
                // often than a tenth of the resend timeout (a wrong key is refused at every open)
                authenticationRefusals++;
                openAnswerable = false;
                if (!isProving() && clock.nanoTime() - lastOpenNs > resendTimeoutNs / 10)
                {
                    openDue = true;
                }
                break;
            case OUTBOX_FULL:
            case BACK_PRESSURED:
                // the tracker has no room now: resending the whole window would only be refused again, the first
                // frame for want of room and every later one as a gap behind it; probe with one frame after a
                // growing delay, and open the window as the tracker applies (ResendPacer)
                if (sequence > unconfirmed.confirmedThrough())
                {
                    final long nowNs = clock.nanoTime();
                    // the tracker answers: not a silence that calls for binding again (and a resend of the outbox)
                    lastProgressNs = nowNs;
                    resendNotBeforeNs = pacer.onNoRoom(nowNs);
                    resendNext = unconfirmed.confirmedThrough() + 1;
                    resentThrough = Math.max(resentThrough, unconfirmed.lastSequence());
                }
                break;
            case SEQUENCE_GAP:
            case UNBOUND_SESSION:
                // resend from the first unconfirmed, once for every frame sent before the resend starts: the
                // frames after a lost one are all refused, and each refusal must not start a resend of its own
                if (sequence > resentThrough)
                {
                    resendNext = unconfirmed.confirmedThrough() + 1;
                    resentThrough = unconfirmed.lastSequence();
                }
                break;
            default:
                break;
        }
    }

    /**
     * The tracker's SessionChallenge for this client and publication: the session answers it with its proof.
     *
     * @param buffer      holding the nonce.
     * @param nonceOffset where it starts.
     */
    public void onSessionChallenge(final DirectBuffer buffer, final int nonceOffset)
    {
        if (!awaitingChallenge || null == mac)
        {
            return;
        }
        buffer.getBytes(nonceOffset, nonce);
        ClientProof.compute(mac, nonceView, 0, link.sessionId(), clientId, proof);
        awaitingChallenge = false;
        proofDue = true;
    }

    private boolean isProving()
    {
        return awaitingChallenge || proofDue;
    }

    /**
     * Bind, resend and confirm as due; called from the client's duty cycle.
     *
     * @return work done.
     */
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        if (!link.isConnected())
        {
            wasConnected = false;
            return 0;
        }
        if (link.epoch() != linkEpoch)
        {
            // the link followed a new cluster leader or opened a new cluster session: what went the old way may be lost
            linkEpoch = link.epoch();
            onNewPath();
        }
        if (!wasConnected)
        {
            wasConnected = true;
            openDue = true;
        }
        if (!openDue && nowNs - lastOpenNs > resendTimeoutNs &&
            (!bound || awaitingChallenge || unconfirmed.size() > 0 && nowNs - lastProgressNs > resendTimeoutNs))
        {
            // nothing confirmed for a while (or never bound, or no challenge came): frames may have gone into a
            // driver or tracker that died
            openDue = true;
        }
        int work = 0;
        if (openDue)
        {
            if (!sendOpen(null == mac ? HelloCredential.NONE : HelloCredential.CHALLENGE))
            {
                return work;
            }
            work++;
            openDue = false;
            proofDue = false;
            awaitingChallenge = null != mac;
            lastOpenNs = nowNs;
            lastProgressNs = nowNs;
            reopens++;
            if (null == mac)
            {
                opened();
            }
        }
        if (proofDue)
        {
            if (!sendOpen(HelloCredential.PROOF))
            {
                return work;
            }
            work++;
            proofDue = false;
            lastProgressNs = nowNs;
            opened();
        }
        if (outboxReceived > outboxConfirmSent && sendOutboxConfirm())
        {
            outboxConfirmSent = outboxReceived;
            work++;
        }
        if (bound && 0 != resendNext && !isProving() && nowNs - resendNotBeforeNs >= 0)
        {
            work += resend();
        }
        return work;
    }

    private int resend()
    {
        int work = 0;
        long sequence = Math.max(resendNext, unconfirmed.confirmedThrough() + 1);
        // while probing after a refusal for want of room, only as far as the window reaches
        final long limit = Math.min(unconfirmed.lastSequence(), pacer.limit(unconfirmed.confirmedThrough()));
        while (sequence <= limit)
        {
            final DirectBuffer frame = unconfirmed.frame(sequence);
            if (link.offer(frame, 0, frame.capacity()) < 0)
            {
                resendNext = sequence;
                return work;
            }
            if (sequence <= offeredThrough)
            {
                resends++;
            }
            else
            {
                // its first offer: it waited behind back pressure, a reconnect or a resend under way
                deferredSends++;
                offeredThrough = sequence;
            }
            work++;
            sequence++;
        }
        if (sequence <= unconfirmed.lastSequence())
        {
            // the window is out: the rest waits for confirmations
            resendNext = sequence;
            return work;
        }
        resendNext = 0;
        pacer.onCaughtUp();
        return work;
    }

    /** The open went out (with its proof, for a client with a key): resend everything unconfirmed after it. */
    private void opened()
    {
        openAnswerable = true;
        if (bound && unconfirmed.size() > 0)
        {
            resendNext = unconfirmed.confirmedThrough() + 1;
            resentThrough = unconfirmed.lastSequence();
        }
    }

    private boolean sendOpen(final HelloCredential credential)
    {
        final boolean proving = HelloCredential.PROOF == credential;
        if (!proving)
        {
            Arrays.fill(proof, (byte)0);
            Arrays.fill(nonce, (byte)0);
        }
        openEncoder.wrapAndApplyHeader(control, 0, headerEncoder)
            .clientId(clientId)
            .appliedThrough(unconfirmed.confirmedThrough())
            .outboxConfirmed(outboxReceived)
            .credential(credential)
            .putNonce(nonce, 0, nonce.length)
            .putProof(proof, 0, proof.length)
            .putClientName(name, 0, Math.min(name.length, Protocol.MAX_NAME_LENGTH));
        return link.offer(control, 0, MessageHeaderEncoder.ENCODED_LENGTH + openEncoder.encodedLength()) > 0;
    }

    private boolean sendOutboxConfirm()
    {
        outboxConfirmEncoder.wrapAndApplyHeader(control, 0, headerEncoder)
            .clientId(clientId)
            .through(outboxReceived);
        return link.offer(control, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + outboxConfirmEncoder.encodedLength()) > 0;
    }

    /**
     * Whether the session is bound: the tracker confirmed it since the last open.
     *
     * @return true when bound.
     */
    public boolean isBound()
    {
        return bound;
    }

    /**
     * The incarnation of the tracker last heard from (0 before any).
     *
     * @return the id.
     */
    public long incarnation()
    {
        return incarnation;
    }

    /**
     * Commands sent and not yet confirmed.
     *
     * @return the count.
     */
    public int unconfirmed()
    {
        return unconfirmed.size();
    }

    /**
     * The highest sequence the tracker confirmed applied.
     *
     * @return the sequence.
     */
    public long appliedThrough()
    {
        return unconfirmed.confirmedThrough();
    }

    /**
     * The highest outbox entry handed on.
     *
     * @return the number.
     */
    public long outboxReceived()
    {
        return outboxReceived;
    }

    /**
     * Commands offered again, after an earlier offer of the same command (a reconnect, a tracker restart, a gap, a
     * timeout). First offers that went later are {@link #deferredSends()}, not counted here.
     *
     * @return the count.
     */
    public long resends()
    {
        return resends;
    }

    /**
     * Commands offered for the first time from the resend loop, in order, because they could not be offered when
     * taken: the publication was back pressured or not connected, or a resend was under way. Each was offered once.
     *
     * @return the count.
     */
    public long deferredSends()
    {
        return deferredSends;
    }

    /**
     * SessionOpen frames sent (the first bind and every bind again).
     *
     * @return the count.
     */
    public long opens()
    {
        return reopens;
    }

    /**
     * Refusals UNAUTHENTICATED: of an open (a missing or wrong key) or of a command sent where the tracker did not
     * know this client's proof.
     *
     * @return the count.
     */
    public long authenticationRefusals()
    {
        return authenticationRefusals;
    }

    /**
     * Refusals for want of room at the tracker (OUTBOX_FULL, BACK_PRESSURED) that started or continued a probe:
     * after each, one frame goes again after a growing delay rather than every unconfirmed one.
     *
     * @return the count.
     */
    public long probes()
    {
        return pacer.probes();
    }

    /**
     * Outbox entries skipped: already had, or out of order.
     *
     * @return the count.
     */
    public long entriesSkipped()
    {
        return entriesSkipped;
    }
}

package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerException;
import io.acktracker.transport.TransportCounter;
import io.acktracker.transport.TransportCounters;
import io.acktracker.transport.auth.HmacSha256;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.Agent;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The service side of the tools' admin stream ({@link AdminFrame}), run by {@code acktracker run} on its own
 * low-duty thread: reads requests, runs dead-letter commands on the tracker's agent thread (through
 * {@link AckTracker#submit}, so the agent stays the only writer) and publishes each reply with the request's
 * correlation id. Every reader of the response stream sees every reply; clients keep their own.
 * <p>
 * Commands: {@code dlq list|peek|replay|delete|stats ...} (the same options as offline), {@code destinations NAME...}
 * (each name's id, registering it when the registry is open) and {@code ping}.
 * <p>
 * Every command but {@code challenge} must be signed with the service's secret over this incarnation's nonce and a
 * counter above the last accepted one ({@link AdminFrame}); anything else is refused with exit code
 * {@link AdminFrame#EXIT_REFUSED} and a line saying why, runs nothing, and is counted in the transport counters by
 * reason ({@code ADMIN_UNSIGNED}, {@code ADMIN_BAD_SIGNATURE}, {@code ADMIN_REPLAYED}, {@code ADMIN_MALFORMED}; all
 * in {@code ADMIN_REFUSED}). Every reply is signed. The replies themselves (dead-letter listings included) are
 * readable by any process that can map the driver: the driver's file permissions decide who that is.
 * <p>
 * Threading: {@link #doWork()} on one thread (it alone verifies, signs and keeps the counter); replies are queued
 * from the agent thread.
 */
final class AdminServer implements Agent
{
    /** Most bytes of one reply; longer output is cut (dead-letter listings take a --limit). */
    static final int MAX_REPLY = 1 << 20;
    /** Start of the refusal text of a replayed or stale command: the client retries once with a new challenge. */
    static final String REPLAYED = "replayed or stale";

    private final AckTracker tracker;
    private final Subscription requests;
    private final Publication responses;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onRequest);
    private final ConcurrentLinkedQueue<Outgoing> replies = new ConcurrentLinkedQueue<>();
    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(4096);
    private final int maxReply;
    private final TransportCounters counters;
    private final HmacSha256 mac;
    private final byte[] nonce = new byte[AdminFrame.NONCE_LENGTH];
    private long lastAccepted;
    private Outgoing sending;
    private long malformed;

    /**
     * A reply to one request.
     *
     * @param correlationId the request's.
     * @param exitCode      as a command line's.
     * @param out           output.
     * @param err           errors.
     */
    record Reply(long correlationId, int exitCode, String out, String err)
    {
    }

    /**
     * A reply on its way out.
     *
     * @param reply   what to say.
     * @param counter counter field: the accepted command's, or the last accepted.
     * @param v1      to an older tool: an unsigned version 1 frame.
     */
    private record Outgoing(Reply reply, long counter, boolean v1)
    {
    }

    /**
     * A server on the service's driver.
     *
     * @param aeron            the service's Aeron client.
     * @param tracker          the tracker the commands run on.
     * @param counters         the transport's counters, where refusals are counted.
     * @param secret           the service's secret (its token), the key of every signature.
     * @param requestStreamId  IPC stream of requests.
     * @param responseStreamId IPC stream of replies.
     */
    AdminServer(
        final Aeron aeron,
        final AckTracker tracker,
        final TransportCounters counters,
        final String secret,
        final int requestStreamId,
        final int responseStreamId)
    {
        this.tracker = tracker;
        this.counters = counters;
        this.mac = new HmacSha256(secret.getBytes(StandardCharsets.US_ASCII));
        new SecureRandom().nextBytes(nonce);
        this.requests = aeron.addSubscription("aeron:ipc", requestStreamId);
        try
        {
            this.responses = aeron.addPublication("aeron:ipc", responseStreamId);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(requests);
            throw ex;
        }
        this.maxReply = Math.min(MAX_REPLY, responses.maxMessageLength());
    }

    public int doWork()
    {
        return requests.poll(assembler, 10) + sendReply();
    }

    public void onClose()
    {
        CloseHelper.quietCloseAll(requests, responses);
    }

    public String roleName()
    {
        return tracker.config().name() + "-admin";
    }

    /**
     * Requests that were not admin frames.
     *
     * @return the count.
     */
    long malformed()
    {
        return malformed;
    }

    private void onRequest(final DirectBuffer frame, final int offset, final int length, final Header header)
    {
        if (AdminFrame.isValidV1(frame, offset, length))
        {
            refuse(TransportCounter.ADMIN_UNSIGNED);
            replies.add(new Outgoing(new Reply(AdminFrame.correlationId(frame, offset), AdminFrame.EXIT_REFUSED, "",
                "acktracker: this service takes only signed admin commands: use an acktracker tool as new as the " +
                "service (it signs with the service's secret)\n"), 0, true));
            return;
        }
        if (!AdminFrame.isValid(frame, offset, length))
        {
            malformed++;
            refuse(TransportCounter.ADMIN_MALFORMED);
            return;
        }
        final long correlationId = AdminFrame.correlationId(frame, offset);
        final List<String> arguments = AdminFrame.arguments(AdminFrame.first(frame, offset));
        if (arguments.size() == 1 && AdminFrame.CHALLENGE.equals(arguments.get(0)))
        {
            replies.add(new Outgoing(new Reply(correlationId, 0, AdminFrame.hex(nonce) + "\n", ""), lastAccepted,
                false));
            return;
        }
        final String refusal = authenticate(frame, offset, length);
        if (null != refusal)
        {
            replies.add(new Outgoing(new Reply(correlationId, AdminFrame.EXIT_REFUSED, "",
                "acktracker: admin command refused: " + refusal + "\n"), lastAccepted, false));
            return;
        }
        final long counter = lastAccepted;
        counters.incrementShared(TransportCounter.ADMIN_COMMANDS);
        CompletableFuture<Reply> reply;
        try
        {
            reply = handle(correlationId, arguments);
        }
        catch (final RuntimeException ex)
        {
            reply = CompletableFuture.completedFuture(error(correlationId, 1, ex));
        }
        reply.whenComplete((done, ex) ->
            replies.add(new Outgoing(null != done ? done : error(correlationId, 1, unwrap(ex)), counter, false)));
    }

    /**
     * Check a version 2 command's signature and counter; on success the counter becomes the last accepted.
     *
     * @return null when it may run, otherwise why not (and the refusal is counted).
     */
    private String authenticate(final DirectBuffer frame, final int offset, final int length)
    {
        if (isZeroMac(frame, offset))
        {
            refuse(TransportCounter.ADMIN_UNSIGNED);
            return "not signed (only 'challenge' is taken unsigned)";
        }
        if (!AdminFrame.verify(frame, offset, length, AdminFrame.REQUEST, nonce, mac))
        {
            refuse(TransportCounter.ADMIN_BAD_SIGNATURE);
            return "bad signature (not signed with this service's secret, or for an earlier run of it)";
        }
        final long counter = AdminFrame.counter(frame, offset);
        if (counter <= lastAccepted)
        {
            refuse(TransportCounter.ADMIN_REPLAYED);
            return REPLAYED + " (counter " + counter + ", last accepted " + lastAccepted + ")";
        }
        lastAccepted = counter;
        return null;
    }

    private static boolean isZeroMac(final DirectBuffer frame, final int offset)
    {
        for (int i = 0; i < HmacSha256.LENGTH; i++)
        {
            if (0 != frame.getByte(offset + AdminFrame.MAC_OFFSET + i))
            {
                return false;
            }
        }
        return true;
    }

    private void refuse(final TransportCounter reason)
    {
        counters.incrementShared(reason);
        counters.incrementShared(TransportCounter.ADMIN_REFUSED);
    }

    private CompletableFuture<Reply> handle(final long correlationId, final List<String> arguments)
    {
        final String command = arguments.isEmpty() ? "" : arguments.get(0);
        switch (command)
        {
            case "ping":
                return CompletableFuture.completedFuture(
                    new Reply(correlationId, 0, "pong " + tracker.config().name() + "\n", ""));
            case "destinations":
            {
                final StringBuilder out = new StringBuilder();
                for (final String name : arguments.subList(1, arguments.size()))
                {
                    out.append(name).append(' ').append(tracker.destination(name)).append('\n');
                }
                return CompletableFuture.completedFuture(new Reply(correlationId, 0, out.toString(), ""));
            }
            case "dlq":
                return DlqCommand.serve(tracker, arguments.subList(1, arguments.size()))
                    .thenApply((result) -> new Reply(correlationId, result.exitCode(), result.out(), result.err()));
            default:
                return CompletableFuture.completedFuture(new Reply(correlationId, 2, "",
                    "acktracker: unknown admin command '" + command + "' (this service knows dlq, destinations, " +
                    "ping)\n"));
        }
    }

    private int sendReply()
    {
        if (null == sending)
        {
            sending = replies.poll();
            if (null == sending)
            {
                return 0;
            }
        }
        final Reply reply = sending.reply();
        final byte[] err = reply.err().getBytes(StandardCharsets.UTF_8);
        byte[] out = reply.out().getBytes(StandardCharsets.UTF_8);
        final int room = maxReply - AdminFrame.HEADER_LENGTH - err.length - 64;
        if (out.length > room)
        {
            final String cut = new String(out, 0, Math.max(0, room), StandardCharsets.UTF_8);
            out = (cut + "\n(output cut at " + maxReply + " bytes; narrow it with --limit)\n")
                .getBytes(StandardCharsets.UTF_8);
        }
        final int length;
        if (sending.v1())
        {
            length = AdminFrame.encodeV1Reply(buffer, reply.correlationId(), reply.exitCode(), err);
        }
        else
        {
            length = AdminFrame.encodeReply(buffer, reply.correlationId(), reply.exitCode(), sending.counter(), out,
                err);
            AdminFrame.sign(buffer, length, AdminFrame.REPLY, nonce, mac);
        }
        final long result = responses.offer(buffer, 0, length);
        if (result > 0 || Publication.NOT_CONNECTED == result || Publication.CLOSED == result ||
            Publication.MAX_POSITION_EXCEEDED == result)
        {
            sending = null;
            return 1;
        }
        return 0;
    }

    private static Reply error(final long correlationId, final int exitCode, final Throwable ex)
    {
        final String message = null == ex.getMessage() ? ex.getClass().getSimpleName() : ex.getMessage();
        return new Reply(correlationId, exitCode, "", "acktracker: " + message + "\n");
    }

    private static Throwable unwrap(final Throwable ex)
    {
        Throwable cause = ex;
        while (cause instanceof java.util.concurrent.CompletionException && null != cause.getCause())
        {
            cause = cause.getCause();
        }
        return null == cause ? new TrackerException("no reply") : cause;
    }
}

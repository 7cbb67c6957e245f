package io.acktracker.tools;

import io.acktracker.engine.AckTracker;
import io.acktracker.engine.api.TrackerException;
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
 * Anyone who can reach the media driver can use this stream, as with the transport's own streams: restrict who can.
 * <p>
 * Threading: {@link #doWork()} on one thread; replies are queued from the agent thread.
 */
final class AdminServer implements Agent
{
    /** Most bytes of one reply; longer output is cut (dead-letter listings take a --limit). */
    static final int MAX_REPLY = 1 << 20;

    private final AckTracker tracker;
    private final Subscription requests;
    private final Publication responses;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onRequest);
    private final ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(4096);
    private final int maxReply;
    private Reply sending;
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

    AdminServer(final Aeron aeron, final AckTracker tracker, final int requestStreamId, final int responseStreamId)
    {
        this.tracker = tracker;
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
        if (!AdminFrame.isValid(frame, offset, length))
        {
            malformed++;
            return;
        }
        final long correlationId = AdminFrame.correlationId(frame, offset);
        final List<String> arguments = AdminFrame.arguments(AdminFrame.first(frame, offset));
        CompletableFuture<Reply> reply;
        try
        {
            reply = handle(correlationId, arguments);
        }
        catch (final RuntimeException ex)
        {
            reply = CompletableFuture.completedFuture(error(correlationId, 1, ex));
        }
        reply.whenComplete((done, ex) -> replies.add(null != done ? done : error(correlationId, 1, unwrap(ex))));
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
        final byte[] err = sending.err().getBytes(StandardCharsets.UTF_8);
        byte[] out = sending.out().getBytes(StandardCharsets.UTF_8);
        final int room = maxReply - AdminFrame.HEADER_LENGTH - err.length - 64;
        if (out.length > room)
        {
            final String cut = new String(out, 0, Math.max(0, room), StandardCharsets.UTF_8);
            out = (cut + "\n(output cut at " + maxReply + " bytes; narrow it with --limit)\n")
                .getBytes(StandardCharsets.UTF_8);
        }
        final int length = AdminFrame.encode(buffer, sending.correlationId(), sending.exitCode(), out, err);
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

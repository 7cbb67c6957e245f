package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;
import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.Header;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tool side of the admin stream ({@link AdminFrame}, served by {@link AdminServer}): finds the service
 * registered at an Aeron directory, sends one command and waits for its reply.
 * <p>
 * Threading: one thread.
 */
final class AdminClient implements AutoCloseable
{
    static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    static final long REPLY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(15);

    private final ServiceRegistration.Service service;
    private final Subscription responses;
    private final Publication requests;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onResponse);
    private final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(1024);
    private final IdleStrategy idle = new SleepingMillisIdleStrategy(1);
    private long awaitedCorrelationId;
    private AdminServer.Reply reply;

    AdminClient(final Aeron aeron, final ServiceRegistration.Service service)
    {
        if (!service.hasAdmin())
        {
            throw new TrackerException(service.describe() + " has no admin stream (it was started with --no-admin)");
        }
        this.service = service;
        this.responses = aeron.addSubscription("aeron:ipc", service.adminResponseStreamId());
        try
        {
            this.requests = aeron.addPublication("aeron:ipc", service.adminRequestStreamId());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(responses);
            throw ex;
        }
    }

    /**
     * Run one admin command on the service registered at an Aeron directory.
     *
     * @param aeronDir  the service's media driver directory.
     * @param arguments the command, e.g. {@code dlq stats}.
     * @return the reply.
     * @throws TrackerException with one clear line when there is no driver, no service, or no reply.
     */
    static AdminServer.Reply call(final Path aeronDir, final List<String> arguments)
    {
        final ServiceRegistration.Service service = ServiceRegistration.findOne(aeronDir);
        try (Aeron aeron = connect(aeronDir);
            AdminClient client = new AdminClient(aeron, service))
        {
            return client.request(aeron.nextCorrelationId(), arguments);
        }
    }

    /**
     * An Aeron client of the driver at a directory, with errors that speak to a person.
     *
     * @param aeronDir the directory.
     * @return the client.
     */
    static Aeron connect(final Path aeronDir)
    {
        ServiceRegistration.requireDriver(aeronDir);
        try
        {
            return Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDir.toString())
                .clientName("acktracker-tool")
                .driverTimeoutMs(5_000)
                .errorHandler((ex) -> { }));
        }
        catch (final AeronException | IllegalStateException ex)
        {
            throw new TrackerException("cannot connect to the media driver at " + aeronDir + ": " + ex.getMessage());
        }
    }

    /**
     * Send a command and wait for the reply.
     *
     * @param correlationId unique id.
     * @param arguments     command.
     * @return the reply.
     */
    AdminServer.Reply request(final long correlationId, final List<String> arguments)
    {
        final long connectDeadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!requests.isConnected() || !responses.isConnected())
        {
            if (System.nanoTime() - connectDeadlineNs > 0)
            {
                throw new TrackerException(service.describe() + " does not answer on its admin stream (IPC streams " +
                    service.adminRequestStreamId() + "/" + service.adminResponseStreamId() + ")");
            }
            idle.idle();
        }

        final int length = AdminFrame.encode(buffer, correlationId, 0, AdminFrame.arguments(arguments), new byte[0]);
        final long replyDeadlineNs = System.nanoTime() + REPLY_TIMEOUT_NS;
        long result;
        while ((result = requests.offer(buffer, 0, length)) < 0)
        {
            if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result ||
                System.nanoTime() - replyDeadlineNs > 0)
            {
                throw new TrackerException("cannot send to " + service.describe() + " (offer result " + result + ")");
            }
            idle.idle();
        }

        awaitedCorrelationId = correlationId;
        reply = null;
        while (null == reply)
        {
            if (System.nanoTime() - replyDeadlineNs > 0)
            {
                throw new TrackerException("no reply from " + service.describe() + " within " +
                    TimeUnit.NANOSECONDS.toSeconds(REPLY_TIMEOUT_NS) + " s");
            }
            idle.idle(responses.poll(assembler, 10));
        }
        return reply;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(requests, responses);
    }

    private void onResponse(final DirectBuffer frame, final int offset, final int length, final Header header)
    {
        if (AdminFrame.isValid(frame, offset, length) &&
            AdminFrame.correlationId(frame, offset) == awaitedCorrelationId)
        {
            reply = new AdminServer.Reply(awaitedCorrelationId, AdminFrame.exitCode(frame, offset),
                AdminFrame.first(frame, offset), AdminFrame.second(frame, offset));
        }
    }
}

package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.auth.SecretFile;
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

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tool side of the admin stream ({@link AdminFrame}, served by {@link AdminServer}): finds the service
 * registered at an Aeron directory, asks it for its nonce and last accepted counter ({@code challenge}), sends one
 * command signed with the service's secret and the next counter, and waits for its reply. Only replies signed with
 * the secret are believed; anything else on the response stream is ignored. A command refused as replayed or stale
 * (another tool's command took the counter first) is signed again once with a new challenge.
 * <p>
 * The secret is read from the file named by {@code --admin-key}, else the one the service registered (its
 * {@code http.token}, owner-only): so only a user who can read that file can run admin commands.
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
    private final HmacSha256 mac;
    private final Aeron aeron;
    private byte[] nonce;
    private long awaitedCorrelationId;
    private long counter;
    private long unauthenticReplies;
    private AdminServer.Reply reply;

    AdminClient(final Aeron aeron, final ServiceRegistration.Service service, final String secret)
    {
        this.aeron = aeron;
        this.mac = new HmacSha256(secret.getBytes(StandardCharsets.US_ASCII));
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
     * @param keyFile   the service's secret ({@code --admin-key}), or null for the file the service registered.
     * @param arguments the command, e.g. {@code dlq stats}.
     * @return the reply.
     * @throws TrackerException with one clear line when there is no driver, no service, no secret, or no reply.
     */
    static AdminServer.Reply call(final Path aeronDir, final Path keyFile, final List<String> arguments)
    {
        final ServiceRegistration.Service service = ServiceRegistration.findOne(aeronDir);
        final String secret = secret(service, keyFile);
        try (Aeron aeron = connect(aeronDir);
            AdminClient client = new AdminClient(aeron, service, secret))
        {
            return client.call(arguments);
        }
    }

    /**
     * The service's secret: from {@code --admin-key}, else the file the service registered, else {@code http.token}
     * in its data directory.
     *
     * @param service the service.
     * @param keyFile the file given on the command line, or null.
     * @return the secret.
     * @throws TrackerException with one clear line when it is not known or cannot be read.
     */
    static String secret(final ServiceRegistration.Service service, final Path keyFile)
    {
        final Path file = null != keyFile ? keyFile : null != service.keyFile() ? service.keyFile() :
            null != service.dataDir() ? service.dataDir().resolve(io.acktracker.transport.http.HttpEdge.TOKEN_FILE_NAME) : null;
        if (null == file)
        {
            throw new TrackerException(service.describe() + " registered no secret file: give --admin-key FILE " +
                "(the service's http.token.file)");
        }
        try
        {
            return SecretFile.read(file, null != keyFile ? "--admin-key" : "the service's secret file");
        }
        catch (final UncheckedIOException ex)
        {
            throw new TrackerException("cannot read the service's secret " + file + " (" +
                ex.getCause().getMessage() + "): admin commands are taken only from users who can read it");
        }
        catch (final IllegalArgumentException ex)
        {
            throw new TrackerException(ex.getMessage());
        }
    }

    /**
     * Run one command: challenge, then the signed command; once more with a new challenge when another tool's
     * command took the counter first.
     *
     * @param arguments the command.
     * @return the service's reply.
     */
    AdminServer.Reply call(final List<String> arguments)
    {
        AdminServer.Reply answer = null;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            challenge();
            answer = request(aeron.nextCorrelationId(), arguments);
            if (AdminFrame.EXIT_REFUSED != answer.exitCode() || !answer.err().contains(AdminServer.REPLAYED))
            {
                return answer;
            }
        }
        return answer;
    }

    /**
     * Ask the service for its nonce and last accepted counter.
     */
    void challenge()
    {
        nonce = null;
        unauthenticReplies = 0;
        final AdminServer.Reply answer = exchange(aeron.nextCorrelationId(), List.of(AdminFrame.CHALLENGE), false);
        nonce = AdminFrame.nonce(answer.out());
        if (0 != answer.exitCode() || null == nonce)
        {
            throw new TrackerException(service.describe() + " answered its challenge with something else: " +
                answer.err().strip());
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
     * Send a command signed with the next counter after the last {@link #challenge()}, and wait for the reply.
     *
     * @param correlationId unique id.
     * @param arguments     command.
     * @return the reply.
     */
    AdminServer.Reply request(final long correlationId, final List<String> arguments)
    {
        if (null == nonce)
        {
            throw new IllegalStateException("challenge first");
        }
        counter++;
        return exchange(correlationId, arguments, true);
    }

    private AdminServer.Reply exchange(final long correlationId, final List<String> arguments, final boolean signed)
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

        final int length = AdminFrame.encodeRequest(buffer, correlationId, signed ? counter : 0,
            AdminFrame.arguments(arguments));
        if (signed)
        {
            AdminFrame.sign(buffer, length, AdminFrame.REQUEST, nonce, mac);
        }
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
            if (!signed && unauthenticReplies > 0)
            {
                // the service answered its challenge with a signature this secret does not make: the secret is not
                // the service's (or another process answers on its stream); nothing was sent that could run
                throw new TrackerException(service.describe() + " did not sign its challenge with the secret given: " +
                    "is it the service's secret (--admin-key, or the service's http.token)?");
            }
            if (System.nanoTime() - replyDeadlineNs > 0)
            {
                throw new TrackerException("no reply from " + service.describe() + " within " +
                    TimeUnit.NANOSECONDS.toSeconds(REPLY_TIMEOUT_NS) + " s" + (0 == unauthenticReplies ? "" :
                    " (" + unauthenticReplies + " replies not signed with the secret were ignored: is it the " +
                    "service's?)"));
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
        if (!AdminFrame.isValid(frame, offset, length) ||
            AdminFrame.correlationId(frame, offset) != awaitedCorrelationId)
        {
            return;
        }
        // a challenge's reply is checked with the nonce it carries: only the secret's holder could sign it
        final byte[] replyNonce = null != nonce ? nonce : AdminFrame.nonce(AdminFrame.first(frame, offset));
        if (null == replyNonce || !AdminFrame.verify(frame, offset, length, AdminFrame.REPLY, replyNonce, mac))
        {
            unauthenticReplies++;
            return;
        }
        if (null == nonce)
        {
            counter = AdminFrame.counter(frame, offset);
        }
        reply = new AdminServer.Reply(awaitedCorrelationId, AdminFrame.exitCode(frame, offset),
            AdminFrame.first(frame, offset), AdminFrame.second(frame, offset));
    }
}

package io.acktracker.transport.service.soak;

import io.acktracker.transport.client.ClientSession;
import io.aeron.Aeron;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.CloseHelper;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * A soak client's connection to the media driver, made again when the driver dies: with the service's embedded
 * driver, the driver dies with every SIGKILL of the service and comes back at the same directory with the next
 * start. The Aeron client notices a dead driver by its heartbeat ({@link #DRIVER_TIMEOUT_MS}) and closes itself;
 * {@link #checkDriver()} then connects again, retrying until the driver is back (bounded), and hands the new client
 * to the soak client ({@code reconnect}). One thread.
 */
final class SoakConnection implements AutoCloseable
{
    static final long DRIVER_TIMEOUT_MS = 3_000;
    private static final long RECONNECT_SECONDS = 120;
    private static final long BIND_SECONDS = 120;

    private final String aeronDir;
    private Aeron aeron;
    private Consumer<Aeron> onReconnect = (aeron) -> { };

    SoakConnection(final String aeronDir) throws InterruptedException
    {
        this.aeronDir = aeronDir;
        this.aeron = connect(aeronDir);
    }

    Aeron aeron()
    {
        return aeron;
    }

    /**
     * What to do with a new Aeron client after the driver died (the client's {@code reconnect}).
     *
     * @param onReconnect takes the new client.
     */
    void onReconnect(final Consumer<Aeron> onReconnect)
    {
        this.onReconnect = onReconnect;
    }

    /**
     * Connect again if the driver died.
     *
     * @throws InterruptedException when interrupted.
     */
    void checkDriver() throws InterruptedException
    {
        if (aeron.isClosed())
        {
            aeron = connect(aeronDir);
            onReconnect.accept(aeron);
            System.out.println("reconnected to a new driver");
        }
    }

    /**
     * Poll until the session is bound (bounded), connecting again if the driver dies meanwhile.
     *
     * @param session the client's session.
     * @param poll    polls the client once.
     * @throws InterruptedException when interrupted.
     */
    void awaitBound(final ClientSession session, final IntSupplier poll) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(BIND_SECONDS);
        while (!session.isBound())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("never bound");
            }
            checkDriver();
            if (0 == poll.getAsInt())
            {
                Thread.sleep(1);
            }
        }
    }

    public void close()
    {
        CloseHelper.quietClose(aeron);
    }

    private static Aeron connect(final String aeronDir) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(RECONNECT_SECONDS);
        while (true)
        {
            try
            {
                return Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(aeronDir)
                    .driverTimeoutMs(DRIVER_TIMEOUT_MS)
                    .errorHandler((ex) ->
                    {
                        if (!(ex instanceof DriverTimeoutException))
                        {
                            ex.printStackTrace();
                        }
                    }));
            }
            catch (final RuntimeException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw ex;
                }
                Thread.sleep(100);
            }
        }
    }
}

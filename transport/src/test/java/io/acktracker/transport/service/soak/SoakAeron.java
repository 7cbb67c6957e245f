package io.acktracker.transport.service.soak;

import io.aeron.Aeron;
import io.aeron.exceptions.DriverTimeoutException;

import java.util.concurrent.TimeUnit;

/**
 * A soak client's connection to the media driver, made again when the driver dies: with the service's embedded
 * driver, the driver dies with every SIGKILL of the service and comes back at the same directory with the next
 * start. The Aeron client notices a dead driver by its heartbeat ({@link #DRIVER_TIMEOUT_MS}) and closes itself; the
 * soak client then connects again, retrying until the driver is back (bounded).
 */
final class SoakAeron
{
    static final long DRIVER_TIMEOUT_MS = 3_000;
    private static final long RECONNECT_SECONDS = 120;

    private SoakAeron()
    {
    }

    /**
     * Connect, waiting (bounded) for a driver at the directory.
     *
     * @param aeronDir the driver's directory.
     * @return the connected client.
     * @throws InterruptedException when interrupted.
     */
    static Aeron connect(final String aeronDir) throws InterruptedException
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

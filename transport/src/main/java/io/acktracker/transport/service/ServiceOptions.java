package io.acktracker.transport.service;

import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The settings only the standalone service has (where its files live, which store, which media driver, the HTTP
 * edge on or off), with their defaults: the owner of those defaults, as {@code TrackerConfig}, {@code TransportConfig}
 * and {@code HttpEdgeConfig} own theirs. Also the one engine default the service changes, with the reason.
 * <p>
 * Threading: build and read on one thread.
 */
final class ServiceOptions
{
    /**
     * The service holds an ack that overtook its Track this long, where the engine's default is 0: over Aeron, acks
     * and Tracks come on different sessions (destinations and senders) and can overtake each other.
     */
    static final long EARLY_ACK_WINDOW_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /** How the service's tracker thread waits when idle. */
    enum Idle
    {
        /** Spin, yield, then park from 1 us to 1 ms: the default. */
        BACKOFF,
        /** Thread.yield. */
        YIELDING,
        /** Sleep 1 ms. */
        SLEEPING,
        /** Never give the core up. */
        BUSY_SPIN
    }

    /** Which media driver the service uses. */
    enum Driver
    {
        /** Its own, in a directory of its own. */
        EMBEDDED,
        /** The one running at Aeron's directory ({@code driver.dir}, else {@code -Daeron.dir}). */
        EXTERNAL
    }

    /** How the service keeps its state. */
    enum Store
    {
        /** The kind an existing data directory holds, a journal for a new one. */
        AUTO,
        /** In memory, every command appended to a journal, checkpoints, replayed at start. */
        JOURNAL,
        /** Records written in place in tables. */
        TABLES
    }

    /** The embedded driver's threading, as Aeron names it. */
    enum Threading
    {
        /** One thread. */
        SHARED,
        /** Conductor, then sender and receiver on a second thread. */
        SHARED_NETWORK,
        /** A thread each. */
        DEDICATED;

        ThreadingMode mode()
        {
            return ThreadingMode.valueOf(name());
        }
    }

    Path dataDir;
    Store store = Store.AUTO;
    Idle idleStrategy = Idle.BACKOFF;
    Driver driver = Driver.EMBEDDED;
    Path driverDir;
    Threading driverThreading = Threading.SHARED;
    long driverTermLength = 16L * 1024 * 1024;
    long driverClientLivenessNs = TimeUnit.SECONDS.toNanos(10);
    Path destinationKeysFile;
    Path clientKeysFile;
    boolean httpEnabled;
    Path httpTokenFile;
    int expectedRate;

    IdleStrategy newIdleStrategy()
    {
        switch (idleStrategy)
        {
            case YIELDING:
                return new YieldingIdleStrategy();
            case SLEEPING:
                return new SleepingMillisIdleStrategy(1);
            case BUSY_SPIN:
                return new BusySpinIdleStrategy();
            default:
                return new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                    TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Check what no config object checks.
     *
     * @throws IllegalArgumentException naming the key.
     */
    void conclude()
    {
        if (Store.JOURNAL == store && null == dataDir)
        {
            throw new IllegalArgumentException("invalid store='journal': a journal store needs data.dir");
        }
        if (driverTermLength < 64 * 1024 || driverTermLength > 1L << 30 || Long.bitCount(driverTermLength) != 1)
        {
            throw new IllegalArgumentException("invalid driver.term.length='" + driverTermLength +
                "': expected a power of two, 64k..1g");
        }
        if (driverClientLivenessNs < TimeUnit.SECONDS.toNanos(2) ||
            driverClientLivenessNs > TimeUnit.HOURS.toNanos(1))
        {
            throw new IllegalArgumentException("invalid driver.client.liveness.timeout='" +
                ValueType.DURATION.format(driverClientLivenessNs) + "': expected 2s..1h");
        }
        if (expectedRate < 0)
        {
            throw new IllegalArgumentException("invalid expected.rate='" + expectedRate + "': must not be negative");
        }
    }
}

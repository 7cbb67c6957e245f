package io.acktracker.transport.http;

import io.acktracker.transport.TransportCounter;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The HTTP edge's executor: a fixed pool of workers with a bounded queue, a shedder that answers 503 when the queue
 * is full, and a watchdog that holds every request to {@code http.read.timeout}.
 * <p>
 * Why a watchdog: the JDK server hands a connection to the executor as soon as its first byte arrives, and the
 * worker then reads the request line, headers and body with blocking reads that have no timeout. One client that
 * sends part of a request and stops holds a worker for good (with the old single worker, the whole edge). The JDK's
 * own {@code sun.net.httpserver.maxReqTime} would bound it, but it is read once per JVM, in whole seconds; this
 * bound is per edge. A request must be read within the timeout of being handed over (its first byte), and a
 * response taken by the client within the timeout of its start; when either is over the watchdog interrupts the
 * worker. The worker's read or write is on an interruptible channel, so the interrupt closes the connection and
 * the JDK server forgets it ({@link TransportCounter#HTTP_TIMEOUTS}). A request that waited in the queue is timed
 * from when it was handed over, like the JDK's, so a flood of slow clients all expire one timeout after they came,
 * not one after another; one that reaches a worker late still gets {@link #GRACE_NS} to be read, which a client
 * that sent its whole request needs by far.
 * <p>
 * An interrupt must never reach the wrong request: each job's state says whether it may be interrupted (reading or
 * writing), the watchdog takes it with a compare-and-set before interrupting, and the worker, leaving a phase or the
 * job, waits until such an interrupt has landed and clears it (the pattern of {@code FutureTask.cancel}).
 * <p>
 * When all workers are busy and the queue is full, the request goes to one shedder thread that reads only its
 * headers (within {@link #GRACE_NS}) and answers 503 with {@code Retry-After}; when even the shedder's queue is
 * full, the connection is closed unanswered. Both count as {@link TransportCounter#HTTP_OVERLOADED}.
 * <p>
 * Threading: {@link #execute} from the JDK server's dispatcher thread; {@link #isShedding}, {@link #requestRead} and
 * {@link #responding} from the worker running the request; {@link #close} from the edge's owner.
 */
final class WorkerPool implements Executor, AutoCloseable
{
    /**
     * The least time a request that reached a worker after its deadline has to be read (one that arrived whole is
     * read in microseconds), and the shedder's budget. Small, because each slow client still queued when the flood's
     * deadline passes costs a worker this long.
     */
    static final long GRACE_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int SHED_QUEUE = 64;
    private static final ThreadLocal<Job> CURRENT = new ThreadLocal<>();

    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor shedder;
    private final Set<Job> running = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private final long timeoutNs;
    private final long tickNs;
    private final Consumer<TransportCounter> counter;
    private volatile boolean closed;

    WorkerPool(
        final String name, final int threads, final int queueCapacity, final long timeoutNs,
        final Consumer<TransportCounter> counter)
    {
        this.timeoutNs = timeoutNs;
        // a tenth of the timeout, but at least twice per grace period: a late job's grace is its whole budget
        this.tickNs = Math.max(TimeUnit.MILLISECONDS.toNanos(5), Math.min(timeoutNs / 10, GRACE_NS / 2));
        this.counter = counter;
        this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queueCapacity), threadFactory(name + "-http-"));
        this.shedder = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(SHED_QUEUE), threadFactory(name + "-http-shed-"));
        this.watchdog = new Thread(this::watch, name + "-http-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    private static ThreadFactory threadFactory(final String prefix)
    {
        final AtomicInteger count = new AtomicInteger();
        return (runnable) ->
        {
            final Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    public void execute(final Runnable exchange)
    {
        final long nowNs = System.nanoTime();
        try
        {
            workers.execute(new Job(exchange, nowNs + timeoutNs, timeoutNs, false));
        }
        catch (final RejectedExecutionException ex)
        {
            if (closed)
            {
                throw ex;
            }
            counter.accept(TransportCounter.HTTP_OVERLOADED);
            // when this one is full too, the JDK server closes the connection
            shedder.execute(new Job(exchange, nowNs + GRACE_NS, GRACE_NS, true));
        }
    }

    /**
     * Whether the calling thread is the shedder: the request is to be answered 503 without being read.
     *
     * @return true on the shedder.
     */
    static boolean isShedding()
    {
        final Job job = CURRENT.get();
        return null != job && job.shed;
    }

    /**
     * The request has been read: stop its read clock (the command it carries may take its time).
     *
     * @throws IOException when the read timeout came first: the connection is to be closed.
     */
    static void requestRead() throws IOException
    {
        final Job job = CURRENT.get();
        if (null != job)
        {
            job.leave(Job.PROCESSING, 0);
        }
    }

    /**
     * The response is about to be written: start its clock.
     *
     * @throws IOException when a timeout came first: the connection is to be closed.
     */
    static void responding() throws IOException
    {
        final Job job = CURRENT.get();
        if (null != job)
        {
            job.leave(Job.WRITING, System.nanoTime() + job.budgetNs);
        }
    }

    private void watch()
    {
        while (!closed)
        {
            LockSupport.parkNanos(tickNs);
            final long nowNs = System.nanoTime();
            for (final Job job : running)
            {
                if (job.expire(nowNs))
                {
                    counter.accept(TransportCounter.HTTP_TIMEOUTS);
                }
            }
        }
    }

    /**
     * Stop at once: running requests are interrupted (their connections close), queued ones dropped.
     */
    public void close()
    {
        closed = true;
        workers.shutdownNow();
        shedder.shutdownNow();
        watchdog.interrupt();
        try
        {
            workers.awaitTermination(5, TimeUnit.SECONDS);
            shedder.awaitTermination(5, TimeUnit.SECONDS);
            watchdog.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One request on its way through a worker.
     */
    private final class Job implements Runnable
    {
        static final int QUEUED = 0;
        static final int READING = 1;
        static final int PROCESSING = 2;
        static final int WRITING = 3;
        static final int INTERRUPTING = 4;
        static final int INTERRUPTED = 5;
        static final int DONE = 6;

        private final Runnable exchange;
        private final long budgetNs;
        private final boolean shed;
        private final AtomicInteger state = new AtomicInteger(QUEUED);
        private volatile long deadlineNs;
        private volatile Thread runner;

        Job(final Runnable exchange, final long deadlineNs, final long budgetNs, final boolean shed)
        {
            this.exchange = exchange;
            this.deadlineNs = deadlineNs;
            this.budgetNs = budgetNs;
            this.shed = shed;
        }

        public void run()
        {
            final long earliestNs = System.nanoTime() + Math.min(GRACE_NS, budgetNs);
            if (deadlineNs - earliestNs < 0)
            {
                deadlineNs = earliestNs;
            }
            runner = Thread.currentThread();
            state.set(READING);
            running.add(this);
            CURRENT.set(this);
            try
            {
                exchange.run();
            }
            finally
            {
                CURRENT.remove();
                running.remove(this);
                try
                {
                    leave(DONE, 0);
                }
                catch (final IOException ex)
                {
                    // timed out at the very end: the connection is closed already or closes on its next use
                }
            }
        }

        /**
         * Move to the next phase; a phase that may be interrupted gets its deadline first.
         */
        void leave(final int next, final long nextDeadlineNs) throws IOException
        {
            if (WRITING == next)
            {
                deadlineNs = nextDeadlineNs;
            }
            while (true)
            {
                final int current = state.get();
                if (INTERRUPTING == current)
                {
                    Thread.onSpinWait();
                }
                else if (INTERRUPTED == current)
                {
                    Thread.interrupted();
                    state.set(DONE);
                    throw new IOException("request not read, or response not taken, within " +
                        TimeUnit.NANOSECONDS.toMillis(budgetNs) + " ms");
                }
                else if (DONE == current || state.compareAndSet(current, next))
                {
                    return;
                }
            }
        }

        /**
         * The watchdog's side: interrupt a reading or writing job past its deadline.
         *
         * @return true when it was interrupted now.
         */
        boolean expire(final long nowNs)
        {
            final int current = state.get();
            if ((READING == current || WRITING == current) && nowNs - deadlineNs >= 0 &&
                state.compareAndSet(current, INTERRUPTING))
            {
                runner.interrupt();
                state.set(INTERRUPTED);
                return true;
            }
            return false;
        }
    }
}

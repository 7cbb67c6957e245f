package io.acktracker.tools;

import io.acktracker.engine.api.TrackerException;
import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.Counter;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a tool finds a running tracker service from its Aeron directory, the way AeronStat finds a driver's counters:
 * the service (started by {@code acktracker run}) adds one Aeron counter of type {@link #TYPE_ID} to its media
 * driver, and tools read the driver's {@code cnc.dat} read-only to find it. The counter lives as long as the
 * service's Aeron client: the driver removes it when the service stops or dies.
 * <pre>
 * key (little-endian):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                      format version (1)                       |
 *  +---------------------------------------------------------------+
 *  |                         service pid                           |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                    inbound (command) stream id                |
 *  +---------------------------------------------------------------+
 *  |                    outbound (outcome) stream id               |
 *  +---------------------------------------------------------------+
 *  |              admin request stream id (0 = no admin)           |
 *  +---------------------------------------------------------------+
 *  |                   admin response stream id                    |
 *  +---------------------------------------------------------------+
 * label: "acktracker service: name=NAME data=DIR run=RUN key=FILE" (DIR "-" when the service keeps everything in
 *        memory, and then RUN its private run directory holding its counters and error logs; " run=RUN" absent
 *        with a data directory and from older services; FILE the service's owner-only secret, which signs admin
 *        commands; " key=FILE" absent from older services)
 * </pre>
 * The counter's key is its contract; the label is for people (and carries the data directory and the secret's
 * path, which do not fit the key). The path is no secret: the file is owner-only.
 * <p>
 * Where the service listens: one more counter per direction, of type {@link #CHANNEL_TYPE_ID}, whose label is the
 * channel exactly as the service uses it (so {@code load} needs no {@code --channel} for a service on UDP). Its key:
 * <pre>
 *  format version (1) (int) | service pid (long) | direction (int: 0 inbound, 1 outbound)
 * </pre>
 * A channel longer than a label ({@link CountersReader#MAX_LABEL_LENGTH}) is not registered rather than cut short:
 * the tools then say so and ask for the channel.
 * <p>
 * Threading: any thread; stateless.
 */
final class ServiceRegistration
{
    /** Counter type id of a service registration ("ACK" then 0x10; the engine's counters use 0x00, transport 0x01). */
    static final int TYPE_ID = 0x41434B10;
    static final int FORMAT_VERSION = 1;
    static final int VERSION_OFFSET = 0;
    static final int PID_OFFSET = 4;
    static final int INBOUND_STREAM_OFFSET = 12;
    static final int OUTBOUND_STREAM_OFFSET = 16;
    static final int ADMIN_REQUEST_STREAM_OFFSET = 20;
    static final int ADMIN_RESPONSE_STREAM_OFFSET = 24;
    static final int KEY_LENGTH = 28;
    /** Counter type id of a service's channel (its label is the channel). */
    static final int CHANNEL_TYPE_ID = 0x41434B11;
    static final int CHANNEL_DIRECTION_OFFSET = 12;
    static final int CHANNEL_KEY_LENGTH = 16;
    static final int INBOUND = 0;
    static final int OUTBOUND = 1;

    private static final String LABEL_PREFIX = "acktracker service: name=";
    private static final String DATA_MARK = " data=";
    private static final String RUN_MARK = " run=";
    private static final String KEY_MARK = " key=";
    private static final String IN_MEMORY = "-";
    private static final long DRIVER_TIMEOUT_MS = 10_000;

    private ServiceRegistration()
    {
    }

    /**
     * A registered service as a tool sees it.
     *
     * @param aeronDir             the driver's directory.
     * @param name                 the service's name.
     * @param pid                  its process id.
     * @param dataDir              its data directory, or null when it keeps everything in memory.
     * @param inboundStreamId      stream its commands arrive on.
     * @param outboundStreamId     stream its outcomes leave on.
     * @param adminRequestStreamId admin request stream (IPC), 0 when it has none.
     * @param adminResponseStreamId admin response stream (IPC).
     * @param keyFile              the service's secret file, or null when it registered none.
     * @param runDir               the run directory of a service without a data directory, holding its counters and
     *                             error logs; null otherwise (or from an older service).
     * @param inboundChannel       the channel its commands arrive on, as the service uses it; null when unknown (an
     *                             older service, or a channel too long to register).
     * @param outboundChannel      the channel its outcomes leave on, likewise.
     */
    record Service(
        Path aeronDir,
        String name,
        long pid,
        Path dataDir,
        int inboundStreamId,
        int outboundStreamId,
        int adminRequestStreamId,
        int adminResponseStreamId,
        Path keyFile,
        Path runDir,
        String inboundChannel,
        String outboundChannel)
    {
        /**
         * Where the service keeps its counters files and error logs: its data directory or its run directory.
         *
         * @return the directory, or null when an older in-memory service registered none.
         */
        Path filesDir()
        {
            return null != dataDir ? dataDir : runDir;
        }

        boolean hasAdmin()
        {
            return 0 != adminRequestStreamId;
        }

        String describe()
        {
            return "service '" + name + "' (pid " + pid + ") at " + aeronDir + ", data " +
                (null != dataDir ? dataDir.toString() : "in memory" + (null == runDir ? "" : " (counters and " +
                "error logs in " + runDir + ")"));
        }
    }

    /**
     * Register a service with its driver.
     *
     * @param aeron   the service's Aeron client; the counter lives as long as it does.
     * @param service what to publish (its aeron dir is not stored).
     * @return the counters; close to unregister.
     */
    static AutoCloseable register(final Aeron aeron, final Service service)
    {
        final Counter main = registerService(aeron, service);
        final List<Counter> counters = new ArrayList<>(List.of(main));
        try
        {
            registerChannel(aeron, service.pid(), INBOUND, service.inboundChannel(), counters);
            registerChannel(aeron, service.pid(), OUTBOUND, service.outboundChannel(), counters);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(counters);
            throw ex;
        }
        return () -> CloseHelper.closeAll(counters);
    }

    private static void registerChannel(
        final Aeron aeron, final long pid, final int direction, final String channel, final List<Counter> counters)
    {
        if (null == channel || channel.length() > CountersReader.MAX_LABEL_LENGTH ||
            !StandardCharsets.US_ASCII.newEncoder().canEncode(channel))
        {
            return;
        }
        final UnsafeBuffer key = new UnsafeBuffer(new byte[CHANNEL_KEY_LENGTH]);
        key.putInt(VERSION_OFFSET, FORMAT_VERSION);
        key.putLong(PID_OFFSET, pid);
        key.putInt(CHANNEL_DIRECTION_OFFSET, direction);
        final byte[] label = channel.getBytes(StandardCharsets.US_ASCII);
        counters.add(aeron.addCounter(CHANNEL_TYPE_ID, key, 0, CHANNEL_KEY_LENGTH, new UnsafeBuffer(label), 0,
            label.length));
    }

    private static Counter registerService(final Aeron aeron, final Service service)
    {
        final UnsafeBuffer key = new UnsafeBuffer(new byte[KEY_LENGTH]);
        key.putInt(VERSION_OFFSET, FORMAT_VERSION);
        key.putLong(PID_OFFSET, service.pid());
        key.putInt(INBOUND_STREAM_OFFSET, service.inboundStreamId());
        key.putInt(OUTBOUND_STREAM_OFFSET, service.outboundStreamId());
        key.putInt(ADMIN_REQUEST_STREAM_OFFSET, service.adminRequestStreamId());
        key.putInt(ADMIN_RESPONSE_STREAM_OFFSET, service.adminResponseStreamId());
        String label = LABEL_PREFIX + service.name() + DATA_MARK +
            (null == service.dataDir() ? IN_MEMORY : service.dataDir().toAbsolutePath().toString()) +
            (null != service.dataDir() || null == service.runDir() ? "" :
            RUN_MARK + service.runDir().toAbsolutePath()) +
            (null == service.keyFile() ? "" : KEY_MARK + service.keyFile().toAbsolutePath());
        if (label.length() > CountersReader.MAX_LABEL_LENGTH)
        {
            label = label.substring(0, CountersReader.MAX_LABEL_LENGTH);
        }
        final byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
        return aeron.addCounter(TYPE_ID, key, 0, KEY_LENGTH, new UnsafeBuffer(labelBytes), 0, labelBytes.length);
    }

    /**
     * Check that a running media driver is at a directory.
     *
     * @param aeronDir the directory.
     * @throws TrackerException with one clear line otherwise.
     */
    static void requireDriver(final Path aeronDir)
    {
        if (!Files.isDirectory(aeronDir))
        {
            throw new TrackerException("no Aeron media driver at " + aeronDir + " (no such directory)");
        }
        final File cnc = aeronDir.resolve(CncFileDescriptor.CNC_FILE).toFile();
        if (!cnc.isFile())
        {
            throw new TrackerException("no Aeron media driver at " + aeronDir + " (no " + CncFileDescriptor.CNC_FILE +
                " there)");
        }
        final StringBuilder why = new StringBuilder();
        final boolean active;
        try
        {
            active = CommonContext.isDriverActive(aeronDir.toFile(), DRIVER_TIMEOUT_MS, (line) -> why.append(line));
        }
        catch (final RuntimeException ex)
        {
            throw new TrackerException("cannot read the media driver's " + cnc + ": " + ex.getMessage());
        }
        if (!active)
        {
            throw new TrackerException("the media driver at " + aeronDir + " is not running (no heartbeat in the " +
                "last " + DRIVER_TIMEOUT_MS / 1000 + " s)");
        }
    }

    /**
     * The live services registered with the driver at a directory.
     *
     * @param aeronDir the driver's directory; checked with {@link #requireDriver(Path)} first.
     * @return services whose process is alive, possibly none.
     */
    static List<Service> find(final Path aeronDir)
    {
        requireDriver(aeronDir);
        final File cnc = aeronDir.resolve(CncFileDescriptor.CNC_FILE).toFile();
        final List<Service> services = new ArrayList<>();
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(cnc, FileChannel.MapMode.READ_ONLY, "cnc");
        try
        {
            final UnsafeBuffer metaData = CncFileDescriptor.createMetaDataBuffer(mapped);
            final int version = metaData.getIntVolatile(CncFileDescriptor.cncVersionOffset(0));
            CncFileDescriptor.checkVersion(version);
            final CountersReader reader = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(mapped, metaData),
                CncFileDescriptor.createCountersValuesBuffer(mapped, metaData));
            final java.util.Map<String, String> channels = new java.util.HashMap<>();
            reader.forEach((counterId, typeId, key, label) ->
            {
                if (CHANNEL_TYPE_ID == typeId && key.getInt(VERSION_OFFSET) >= FORMAT_VERSION)
                {
                    channels.put(key.getLong(PID_OFFSET) + "/" + key.getInt(CHANNEL_DIRECTION_OFFSET), label);
                }
            });
            reader.forEach((counterId, typeId, key, label) ->
            {
                if (TYPE_ID == typeId && key.getInt(VERSION_OFFSET) >= FORMAT_VERSION &&
                    label.startsWith(LABEL_PREFIX))
                {
                    final long pid = key.getLong(PID_OFFSET);
                    if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    {
                        final int dataAt = label.indexOf(DATA_MARK);
                        final String name = dataAt < 0 ? label.substring(LABEL_PREFIX.length()) :
                            label.substring(LABEL_PREFIX.length(), dataAt);
                        final int keyAt = label.lastIndexOf(KEY_MARK);
                        final int end = keyAt > dataAt ? keyAt : label.length();
                        final int runAt = dataAt < 0 ? -1 : label.indexOf(RUN_MARK, dataAt);
                        final int dataEnd = runAt > dataAt && runAt < end ? runAt : end;
                        final String data = dataAt < 0 ? IN_MEMORY : label.substring(dataAt + DATA_MARK.length(),
                            dataEnd);
                        final Path runDir = dataEnd < end ? Path.of(label.substring(runAt + RUN_MARK.length(), end)) :
                            null;
                        final Path keyFile = keyAt > dataAt && dataAt >= 0 ?
                            Path.of(label.substring(keyAt + KEY_MARK.length())) : null;
                        services.add(new Service(aeronDir, name, pid, IN_MEMORY.equals(data) ? null : Path.of(data),
                            key.getInt(INBOUND_STREAM_OFFSET), key.getInt(OUTBOUND_STREAM_OFFSET),
                            key.getInt(ADMIN_REQUEST_STREAM_OFFSET), key.getInt(ADMIN_RESPONSE_STREAM_OFFSET),
                            keyFile, runDir, channels.get(pid + "/" + INBOUND), channels.get(pid + "/" + OUTBOUND)));
                    }
                }
            });
        }
        catch (final IllegalStateException ex)
        {
            throw new TrackerException("cannot read the media driver's " + cnc + ": " + ex.getMessage());
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
        return services;
    }

    /**
     * The one live service at a directory.
     *
     * @param aeronDir the driver's directory.
     * @return the service.
     * @throws TrackerException when there is no driver, no service, or more than one.
     */
    static Service findOne(final Path aeronDir)
    {
        final List<Service> services = find(aeronDir);
        if (services.isEmpty())
        {
            throw new TrackerException("a media driver runs at " + aeronDir + " but no acktracker service is " +
                "registered with it (a service started with 'acktracker run' registers itself)");
        }
        if (services.size() > 1)
        {
            final StringBuilder names = new StringBuilder();
            services.forEach((service) -> names.append(names.length() == 0 ? "" : ", ").append(service.name())
                .append(" (pid ").append(service.pid()).append(')'));
            throw new TrackerException("several acktracker services share the driver at " + aeronDir + ": " + names +
                "; the tools need one service per driver (stat also takes --data-dir)");
        }
        return services.get(0);
    }
}

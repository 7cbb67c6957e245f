package io.acktracker.transport;

import io.acktracker.engine.api.DestinationRegistry;
import io.acktracker.engine.api.ReceiptHandle;
import io.acktracker.transport.codecs.MessageHeaderDecoder;

import java.util.concurrent.TimeUnit;

/**
 * Constants of the wire protocol shared by the tracker and its clients: schema id and versions, bounds on groups and
 * text, and the default channel and stream ids. See {@code transport/PROTOCOL.md}.
 */
public final class Protocol
{
    /** Schema id every acktracker frame carries. */
    public static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    /** Schema version this code writes. */
    public static final int SCHEMA_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;
    /** Oldest schema version this code reads; newer versions are read, their extra fields skipped. */
    public static final int MIN_SCHEMA_VERSION = 1;

    /** Highest destination id (ids are bits of a 64-bit set). */
    public static final int MAX_DESTINATION_ID = DestinationRegistry.MAX_DESTINATIONS - 1;
    /** Destination id on the wire meaning "the destination bound to the sending session". */
    public static final int BOUND_DESTINATION = 255;
    /**
     * Destination id of a Redeliver meaning "consumers": a leased message is available to lease again (its lease
     * expired, or it was nacked and its hold-back ended). The engine's {@code RedeliveryListener.CONSUMER}.
     */
    public static final int CONSUMER_DESTINATION = 255;
    /** Length of a receipt handle on the wire: the engine's binary form, carried opaquely. */
    public static final int RECEIPT_HANDLE_LENGTH = ReceiptHandle.LENGTH;
    /** Lease timeout used when a Lease asks for the default (0). */
    public static final long DEFAULT_LEASE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);

    /** Version 1's Extend with a 16-byte handle: retired, answered Refused NOT_SUPPORTED. */
    public static final int RETIRED_EXTEND_TEMPLATE_ID = 8;
    /** Version 1's Settle with a 16-byte handle: retired, answered Refused NOT_SUPPORTED. */
    public static final int RETIRED_SETTLE_TEMPLATE_ID = 9;
    /** Version 1's LeaseGranted: retired, never sent. */
    public static final int RETIRED_LEASE_GRANTED_TEMPLATE_ID = 23;
    /** Most destinations in one Track. */
    public static final int MAX_TRACK_DESTINATIONS = DestinationRegistry.MAX_DESTINATIONS;
    /** Longest destination name. */
    public static final int MAX_NAME_LENGTH = DestinationRegistry.MAX_NAME_LENGTH;
    /** Longest reason text in Nack, Reject and Settle. */
    public static final int MAX_REASON_LENGTH = 256;
    /** Longest Track metadata. */
    public static final int MAX_METADATA_LENGTH = 256;
    /** Longest frame this protocol writes (a Track with every destination and the longest metadata), rounded up. */
    public static final int MAX_FRAME_LENGTH = 512;

    /** Default channel of both streams: IPC on one host. */
    public static final String DEFAULT_CHANNEL = "aeron:ipc";
    /** Default stream id of commands to the tracker (Track, Ack, ...). */
    public static final int DEFAULT_INBOUND_STREAM_ID = 7001;
    /** Default stream id of the tracker's Outcome, Redeliver, Refused and LeaseGranted frames. */
    public static final int DEFAULT_OUTBOUND_STREAM_ID = 7002;

    private Protocol()
    {
    }
}

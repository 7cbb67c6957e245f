package io.acktracker.engine.api;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Base64;

/**
 * The receipt handle of one lease: the message, its delivery number and a random nonce, authenticated by a MAC
 * under the tracker's secret, so only the current lease holder can settle the message; a forged, altered or stale
 * handle is refused.
 * <pre>
 *   0 message id (long) | 8 delivery (int) | 12 version (int) | 16 nonce (long) | 24 MAC (long)   = 32 bytes
 * </pre>
 * Mutable and reusable so the hot path allocates nothing. Printable form for logs and the CLI:
 * {@code ack1.} followed by the 32 bytes in unpadded base64url.
 * <p>
 * Threading: not thread-safe; one per thread.
 */
public final class ReceiptHandle
{
    /** Length of the binary form. */
    public static final int LENGTH = 32;
    /** Current format version. */
    public static final int VERSION = 1;
    /** Prefix of the printable form. */
    public static final String PREFIX = "ack1.";

    private static final int MESSAGE_ID_OFFSET = 0;
    private static final int DELIVERY_OFFSET = 8;
    private static final int VERSION_OFFSET = 12;
    private static final int NONCE_OFFSET = 16;
    private static final int MAC_OFFSET = 24;

    private long messageId;
    private int delivery;
    private int version = VERSION;
    private long nonce;
    private long mac;

    /**
     * The leased message.
     *
     * @return its id.
     */
    public long messageId()
    {
        return messageId;
    }

    /**
     * Which delivery of the message this lease is.
     *
     * @return the delivery count.
     */
    public int delivery()
    {
        return delivery;
    }

    /**
     * The handle's format version.
     *
     * @return the version.
     */
    public int version()
    {
        return version;
    }

    /**
     * The lease's random nonce.
     *
     * @return the nonce.
     */
    public long nonce()
    {
        return nonce;
    }

    /**
     * The tracker's authentication code over the handle's fields.
     *
     * @return the MAC.
     */
    public long mac()
    {
        return mac;
    }

    /**
     * Set every field (the MAC as computed by the issuer).
     *
     * @param messageId message.
     * @param delivery  delivery number.
     * @param nonce     random nonce.
     * @param mac       authentication tag.
     * @return this.
     */
    public ReceiptHandle set(final long messageId, final int delivery, final long nonce, final long mac)
    {
        this.messageId = messageId;
        this.delivery = delivery;
        this.version = VERSION;
        this.nonce = nonce;
        this.mac = mac;
        return this;
    }

    /**
     * Copy another handle.
     *
     * @param other handle.
     * @return this.
     */
    public ReceiptHandle copyFrom(final ReceiptHandle other)
    {
        messageId = other.messageId;
        delivery = other.delivery;
        version = other.version;
        nonce = other.nonce;
        mac = other.mac;
        return this;
    }

    /**
     * Write the binary form.
     *
     * @param buffer to write to.
     * @param offset first byte.
     */
    public void encode(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putLong(offset + MESSAGE_ID_OFFSET, messageId);
        buffer.putInt(offset + DELIVERY_OFFSET, delivery);
        buffer.putInt(offset + VERSION_OFFSET, version);
        buffer.putLong(offset + NONCE_OFFSET, nonce);
        buffer.putLong(offset + MAC_OFFSET, mac);
    }

    /**
     * Read the binary form.
     *
     * @param buffer to read from.
     * @param offset first byte.
     * @return this.
     */
    public ReceiptHandle decode(final DirectBuffer buffer, final int offset)
    {
        messageId = buffer.getLong(offset + MESSAGE_ID_OFFSET);
        delivery = buffer.getInt(offset + DELIVERY_OFFSET);
        version = buffer.getInt(offset + VERSION_OFFSET);
        nonce = buffer.getLong(offset + NONCE_OFFSET);
        mac = buffer.getLong(offset + MAC_OFFSET);
        return this;
    }

    /**
     * The printable form.
     *
     * @return {@code ack1.} and base64url.
     */
    public String toString()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH]);
        encode(buffer, 0);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.byteArray());
    }

    /**
     * Parse the printable form. Parsing checks only the shape; the tracker checks authenticity.
     *
     * @param printable as produced by {@link #toString()}.
     * @return a new handle.
     * @throws IllegalArgumentException when malformed.
     */
    public static ReceiptHandle parse(final String printable)
    {
        if (null == printable || !printable.startsWith(PREFIX))
        {
            throw new IllegalArgumentException("not a receipt handle (expected " + PREFIX + "...)");
        }
        final byte[] bytes;
        try
        {
            bytes = Base64.getUrlDecoder().decode(printable.substring(PREFIX.length()));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("not a receipt handle: bad base64url", ex);
        }
        if (LENGTH != bytes.length)
        {
            throw new IllegalArgumentException("not a receipt handle: " + bytes.length + " bytes, expected " + LENGTH);
        }
        return new ReceiptHandle().decode(new UnsafeBuffer(bytes), 0);
    }
}

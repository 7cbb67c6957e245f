package io.acktracker.transport.auth;

import org.agrona.DirectBuffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * HMAC-SHA256 (RFC 2104) with one key, fed field by field so a caller can sign a frame without building a byte
 * array of it first. Used where a secret must be proved without crossing the media driver's log buffers in clear:
 * a destination's hello answers a tracker nonce with a MAC, and each admin command carries a MAC over the
 * tracker's per-incarnation nonce, a counter and the command.
 * <p>
 * Integers are fed little-endian, like the wire. MACs are compared with {@link #isEqual} (constant time).
 * <p>
 * Threading: one thread per instance (a {@link Mac} keeps state between calls).
 */
public final class HmacSha256
{
    /** Bytes of a MAC. */
    public static final int LENGTH = 32;
    private static final String ALGORITHM = "HmacSHA256";

    private final Mac mac;
    private final byte[] scratch = new byte[64];

    /**
     * A MAC with a key.
     *
     * @param key the secret, at least one byte.
     */
    public HmacSha256(final byte[] key)
    {
        try
        {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("every Java platform has " + ALGORITHM, ex);
        }
    }

    /**
     * Feed one byte.
     *
     * @param value the byte.
     * @return this.
     */
    public HmacSha256 update(final byte value)
    {
        mac.update(value);
        return this;
    }

    /**
     * Feed an int, little-endian.
     *
     * @param value the int.
     * @return this.
     */
    public HmacSha256 update(final int value)
    {
        for (int i = 0; i < Integer.BYTES; i++)
        {
            scratch[i] = (byte)(value >>> (8 * i));
        }
        mac.update(scratch, 0, Integer.BYTES);
        return this;
    }

    /**
     * Feed a long, little-endian.
     *
     * @param value the long.
     * @return this.
     */
    public HmacSha256 update(final long value)
    {
        for (int i = 0; i < Long.BYTES; i++)
        {
            scratch[i] = (byte)(value >>> (8 * i));
        }
        mac.update(scratch, 0, Long.BYTES);
        return this;
    }

    /**
     * Feed bytes.
     *
     * @param bytes the bytes.
     * @return this.
     */
    public HmacSha256 update(final byte[] bytes)
    {
        mac.update(bytes);
        return this;
    }

    /**
     * Feed a range of a buffer.
     *
     * @param buffer the buffer.
     * @param offset first byte.
     * @param length how many.
     * @return this.
     */
    public HmacSha256 update(final DirectBuffer buffer, final int offset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final int chunk = Math.min(scratch.length, length - done);
            buffer.getBytes(offset + done, scratch, 0, chunk);
            mac.update(scratch, 0, chunk);
            done += chunk;
        }
        return this;
    }

    /**
     * Finish: the MAC of everything fed since the last finish, and start over with the same key.
     *
     * @param out    where the {@link #LENGTH} bytes go.
     * @param offset at which index.
     */
    public void finish(final byte[] out, final int offset)
    {
        try
        {
            mac.doFinal(out, offset);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("a MAC output of " + LENGTH + " bytes fits", ex);
        }
    }

    /**
     * Finish into a new array.
     *
     * @return the MAC.
     */
    public byte[] finish()
    {
        final byte[] out = new byte[LENGTH];
        finish(out, 0);
        return out;
    }

    /**
     * Compare two MACs in constant time (for equal lengths): how long it takes says nothing of where they differ.
     *
     * @param expected what the secret gives.
     * @param presented what came in.
     * @return true when equal.
     */
    public static boolean isEqual(final byte[] expected, final byte[] presented)
    {
        return MessageDigest.isEqual(expected, presented);
    }
}

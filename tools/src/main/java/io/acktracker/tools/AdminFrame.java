package io.acktracker.tools;

import io.acktracker.transport.auth.HmacSha256;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One frame of the tools' admin stream between {@code acktracker dlq ... --aeron-dir} (or {@code load}) and a
 * service started by {@code acktracker run}: a request carries a command line (arguments separated by NUL), a
 * response its exit code, standard output and error output. The transport's SBE protocol has no admin messages;
 * this stream is the tools' own, scoped to dead-letter administration and destination lookup, on IPC streams of
 * the service's driver (see {@link ServiceRegistration}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                       magic "ATA2"                            |
 *  +---------------------------------------------------------------+
 *  |                       correlation id                          |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               exit code (responses; 0 in requests)            |
 *  +---------------------------------------------------------------+
 *  |                  first text length (bytes)                    |
 *  +---------------------------------------------------------------+
 *  |                  second text length (bytes)                   |
 *  +---------------------------------------------------------------+
 *  |    counter: the command's (requests), the last accepted       |
 *  |    (replies)                                                  |
 *  +---------------------------------------------------------------+
 *  |    HMAC-SHA256, 32 bytes (zero in an unsigned challenge)    ...
 *  +---------------------------------------------------------------+
 *  |  first text, UTF-8: request arguments, or response output   ...
 *  +---------------------------------------------------------------+
 *  |  second text, UTF-8: empty in requests, response errors     ...
 *  +---------------------------------------------------------------+
 * </pre>
 * <b>Signing.</b> The service's secret (its {@code http.token} file, owner-only) never crosses the driver's log
 * buffers. The service draws a random nonce when it starts (one per incarnation) and keeps the highest counter it
 * has accepted. A tool first sends the unsigned command {@code challenge}; the reply's output is the nonce in hex
 * and its counter field the last accepted counter. The tool then signs its command with the next counter:
 * <pre>
 *   MAC = HMAC-SHA256(secret, direction || nonce || bytes 4..31 of the frame || first text || second text)
 * </pre>
 * with direction {@code 'Q'} for a request and {@code 'R'} for a reply (so a reply can never pass for a request).
 * The service accepts a command only when its MAC is right (compared in constant time) and its counter is above the
 * last accepted one, so a frame read from the log buffers and sent again is refused as replayed, and one from an
 * earlier incarnation fails its MAC. Every reply is signed the same way, so a tool believes only the service's
 * answers, not a frame another process put on the response stream.
 * <p>
 * Version 1 frames (magic "ATA1", 24-byte header, unsigned) are still recognised so an older tool is told, in its
 * own format, that the service takes only signed commands.
 * <p>
 * Frames are longer than an MTU when the output is long: readers reassemble fragments (Aeron's
 * {@code FragmentAssembler}).
 * <p>
 * Threading: stateless; any thread (a {@link HmacSha256} passed in is the caller's).
 */
final class AdminFrame
{
    static final int MAGIC = 0x32415441;
    static final int MAGIC_V1 = 0x31415441;
    static final int MAGIC_OFFSET = 0;
    static final int CORRELATION_ID_OFFSET = 4;
    static final int EXIT_CODE_OFFSET = 12;
    static final int FIRST_LENGTH_OFFSET = 16;
    static final int SECOND_LENGTH_OFFSET = 20;
    static final int COUNTER_OFFSET = 24;
    static final int MAC_OFFSET = 32;
    static final int HEADER_LENGTH = MAC_OFFSET + HmacSha256.LENGTH;
    static final int HEADER_LENGTH_V1 = 24;
    static final int NONCE_LENGTH = 16;
    static final char ARGUMENT_SEPARATOR = '\0';
    static final byte REQUEST = 'Q';
    static final byte REPLY = 'R';

    /** The one command taken unsigned: answers the nonce and the last accepted counter. */
    static final String CHALLENGE = "challenge";
    /** Exit code of a command the service refused to run because it was not authenticated (EX_NOPERM). */
    static final int EXIT_REFUSED = 77;

    private AdminFrame()
    {
    }

    /**
     * Encode a frame with a zero MAC: sign it with {@link #sign} afterwards (only a challenge goes unsigned).
     *
     * @param buffer        where.
     * @param correlationId request id, echoed by the response.
     * @param exitCode      exit code.
     * @param counter       the command's counter, or a reply's last accepted counter.
     * @param first         arguments or output.
     * @param second        errors.
     * @return frame length.
     */
    static int encode(
        final MutableDirectBuffer buffer,
        final long correlationId,
        final int exitCode,
        final long counter,
        final byte[] first,
        final byte[] second)
    {
        buffer.putInt(MAGIC_OFFSET, MAGIC);
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId);
        buffer.putInt(EXIT_CODE_OFFSET, exitCode);
        buffer.putInt(FIRST_LENGTH_OFFSET, first.length);
        buffer.putInt(SECOND_LENGTH_OFFSET, second.length);
        buffer.putLong(COUNTER_OFFSET, counter);
        buffer.setMemory(MAC_OFFSET, HmacSha256.LENGTH, (byte)0);
        buffer.putBytes(HEADER_LENGTH, first);
        buffer.putBytes(HEADER_LENGTH + first.length, second);
        return HEADER_LENGTH + first.length + second.length;
    }

    /**
     * Encode a version 1 reply (for a tool too old to sign: it can read nothing else).
     *
     * @param buffer        where.
     * @param correlationId the request's.
     * @param exitCode      exit code.
     * @param second        errors.
     * @return frame length.
     */
    static int encodeV1Reply(
        final MutableDirectBuffer buffer, final long correlationId, final int exitCode, final byte[] second)
    {
        buffer.putInt(MAGIC_OFFSET, MAGIC_V1);
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId);
        buffer.putInt(EXIT_CODE_OFFSET, exitCode);
        buffer.putInt(FIRST_LENGTH_OFFSET, 0);
        buffer.putInt(SECOND_LENGTH_OFFSET, second.length);
        buffer.putBytes(HEADER_LENGTH_V1, second);
        return HEADER_LENGTH_V1 + second.length;
    }

    /**
     * Write a frame's MAC (see the class comment).
     *
     * @param buffer    the encoded frame, at offset 0.
     * @param length    its length.
     * @param direction {@link #REQUEST} or {@link #REPLY}.
     * @param nonce     the service's nonce.
     * @param mac       keyed with the secret.
     */
    static void sign(
        final MutableDirectBuffer buffer, final int length, final byte direction, final byte[] nonce,
        final HmacSha256 mac)
    {
        final byte[] signature = mac(buffer, 0, length, direction, nonce, mac);
        buffer.putBytes(MAC_OFFSET, signature);
    }

    /**
     * Whether a version 2 frame's MAC is right, compared in constant time.
     *
     * @param buffer    the frame.
     * @param offset    where it starts.
     * @param length    its length (already {@link #isValid}).
     * @param direction {@link #REQUEST} or {@link #REPLY}.
     * @param nonce     the service's nonce.
     * @param mac       keyed with the secret.
     * @return true when signed with the secret.
     */
    static boolean verify(
        final DirectBuffer buffer, final int offset, final int length, final byte direction, final byte[] nonce,
        final HmacSha256 mac)
    {
        final byte[] presented = new byte[HmacSha256.LENGTH];
        buffer.getBytes(offset + MAC_OFFSET, presented);
        return HmacSha256.isEqual(mac(buffer, offset, length, direction, nonce, mac), presented);
    }

    private static byte[] mac(
        final DirectBuffer buffer, final int offset, final int length, final byte direction, final byte[] nonce,
        final HmacSha256 mac)
    {
        return mac.update(direction)
            .update(nonce)
            .update(buffer, offset + CORRELATION_ID_OFFSET, MAC_OFFSET - CORRELATION_ID_OFFSET)
            .update(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH)
            .finish();
    }

    /**
     * Whether a frame is a well formed version 2 frame: magic and lengths that fit.
     *
     * @param buffer frame.
     * @param offset where it starts.
     * @param length its length.
     * @return true when it can be read.
     */
    static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= HEADER_LENGTH && MAGIC == buffer.getInt(offset + MAGIC_OFFSET) &&
            textsFit(buffer, offset, length, HEADER_LENGTH);
    }

    /**
     * Whether a frame is a well formed version 1 (unsigned) frame.
     *
     * @param buffer frame.
     * @param offset where it starts.
     * @param length its length.
     * @return true when it is one.
     */
    static boolean isValidV1(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= HEADER_LENGTH_V1 && MAGIC_V1 == buffer.getInt(offset + MAGIC_OFFSET) &&
            textsFit(buffer, offset, length, HEADER_LENGTH_V1);
    }

    private static boolean textsFit(final DirectBuffer buffer, final int offset, final int length, final int header)
    {
        final long first = buffer.getInt(offset + FIRST_LENGTH_OFFSET);
        final long second = buffer.getInt(offset + SECOND_LENGTH_OFFSET);
        return first >= 0 && second >= 0 && header + first + second <= length;
    }

    static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET);
    }

    static int exitCode(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + EXIT_CODE_OFFSET);
    }

    static long counter(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + COUNTER_OFFSET);
    }

    static String first(final DirectBuffer buffer, final int offset)
    {
        return buffer.getStringWithoutLengthUtf8(offset + HEADER_LENGTH, buffer.getInt(offset + FIRST_LENGTH_OFFSET));
    }

    static String second(final DirectBuffer buffer, final int offset)
    {
        return buffer.getStringWithoutLengthUtf8(offset + HEADER_LENGTH + buffer.getInt(offset + FIRST_LENGTH_OFFSET),
            buffer.getInt(offset + SECOND_LENGTH_OFFSET));
    }

    static byte[] arguments(final List<String> arguments)
    {
        return String.join(String.valueOf(ARGUMENT_SEPARATOR), arguments).getBytes(StandardCharsets.UTF_8);
    }

    static List<String> arguments(final String joined)
    {
        final List<String> arguments = new ArrayList<>();
        if (joined.isEmpty())
        {
            return arguments;
        }
        int from = 0;
        while (true)
        {
            final int at = joined.indexOf(ARGUMENT_SEPARATOR, from);
            if (at < 0)
            {
                arguments.add(joined.substring(from));
                return arguments;
            }
            arguments.add(joined.substring(from, at));
            from = at + 1;
        }
    }

    static String hex(final byte[] bytes)
    {
        final StringBuilder out = new StringBuilder(bytes.length * 2);
        for (final byte b : bytes)
        {
            out.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return out.toString();
    }

    /**
     * Bytes from hex.
     *
     * @param text hex digits.
     * @return the bytes, or null when the text is not {@link #NONCE_LENGTH} bytes of hex.
     */
    static byte[] nonce(final String text)
    {
        final String digits = text.strip();
        if (digits.length() != NONCE_LENGTH * 2)
        {
            return null;
        }
        final byte[] bytes = new byte[NONCE_LENGTH];
        for (int i = 0; i < NONCE_LENGTH; i++)
        {
            final int high = Character.digit(digits.charAt(2 * i), 16);
            final int low = Character.digit(digits.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0)
            {
                return null;
            }
            bytes[i] = (byte)(high << 4 | low);
        }
        return bytes;
    }
}

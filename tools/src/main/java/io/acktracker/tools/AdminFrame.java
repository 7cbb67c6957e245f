package io.acktracker.tools;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One frame of the tools' admin stream between {@code acktracker dlq ... --aeron-dir} (or {@code load}) and a
 * service started by {@code acktracker run}: a request carries a command line (arguments separated by NUL), a
 * response its exit code, standard output and error output. The transport's SBE protocol has no admin messages
 * yet; this stream is the tools' own, scoped to dead-letter administration and destination lookup, on IPC streams
 * of the service's driver (see {@link ServiceRegistration}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                       magic "ATA1"                            |
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
 *  |  first text, UTF-8: request arguments, or response output   ...
 *  +---------------------------------------------------------------+
 *  |  second text, UTF-8: empty in requests, response errors     ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Frames are longer than an MTU when the output is long: readers reassemble fragments (Aeron's
 * {@code FragmentAssembler}).
 * <p>
 * Threading: one thread per instance.
 */
final class AdminFrame
{
    static final int MAGIC = 0x31415441;
    static final int MAGIC_OFFSET = 0;
    static final int CORRELATION_ID_OFFSET = 4;
    static final int EXIT_CODE_OFFSET = 12;
    static final int FIRST_LENGTH_OFFSET = 16;
    static final int SECOND_LENGTH_OFFSET = 20;
    static final int HEADER_LENGTH = 24;
    static final char ARGUMENT_SEPARATOR = '\0';

    private AdminFrame()
    {
    }

    /**
     * Encode a frame.
     *
     * @param buffer        where.
     * @param correlationId request id, echoed by the response.
     * @param exitCode      exit code.
     * @param first         arguments or output.
     * @param second        errors.
     * @return frame length.
     */
    static int encode(
        final MutableDirectBuffer buffer,
        final long correlationId,
        final int exitCode,
        final byte[] first,
        final byte[] second)
    {
        buffer.putInt(MAGIC_OFFSET, MAGIC);
        buffer.putLong(CORRELATION_ID_OFFSET, correlationId);
        buffer.putInt(EXIT_CODE_OFFSET, exitCode);
        buffer.putInt(FIRST_LENGTH_OFFSET, first.length);
        buffer.putInt(SECOND_LENGTH_OFFSET, second.length);
        buffer.putBytes(HEADER_LENGTH, first);
        buffer.putBytes(HEADER_LENGTH + first.length, second);
        return HEADER_LENGTH + first.length + second.length;
    }

    /**
     * Whether a frame is well formed: magic and lengths that fit.
     *
     * @param buffer frame.
     * @param offset where it starts.
     * @param length its length.
     * @return true when it can be read.
     */
    static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH || MAGIC != buffer.getInt(offset + MAGIC_OFFSET))
        {
            return false;
        }
        final long first = buffer.getInt(offset + FIRST_LENGTH_OFFSET);
        final long second = buffer.getInt(offset + SECOND_LENGTH_OFFSET);
        return first >= 0 && second >= 0 && HEADER_LENGTH + first + second <= length;
    }

    static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + CORRELATION_ID_OFFSET);
    }

    static int exitCode(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + EXIT_CODE_OFFSET);
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
}

package io.acktracker.tools;

import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.codecs.AdminReplyDecoder;
import io.acktracker.transport.codecs.AdminReplyEncoder;
import io.acktracker.transport.codecs.AdminRequestDecoder;
import io.acktracker.transport.codecs.AdminRequestEncoder;
import io.acktracker.transport.codecs.MessageHeaderDecoder;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One frame of the tools' admin stream between {@code acktracker dlq ... --aeron-dir} (or {@code load}) and a
 * service started by {@code acktracker run}: an AdminRequest carries a command line (arguments separated by NUL), an
 * AdminReply its exit code, standard output and error output. Both are messages of the transport's SBE schema
 * (templates 40 and 41, since schema version 5; PROTOCOL.md), on IPC streams of the service's driver of their own,
 * scoped to dead-letter administration and destination lookup (see {@link ServiceRegistration}):
 * <pre>
 *   message header (8 bytes: block length, template id, schema id, version)
 *   correlationId  int64   request id, echoed by the reply                      offset  8
 *   counter        int64   a request's counter, or a reply's last accepted one  offset 16
 *   mac            32 bytes HMAC-SHA256 (zero in an unsigned challenge)         offset 24
 *   exitCode       int32   replies only                                         offset 56
 *   arguments (requests), or output then errors (replies): uint32 length, UTF-8 bytes
 * </pre>
 * <b>Signing.</b> The service's secret (its {@code http.token} file, owner-only) never crosses the driver's log
 * buffers. The service draws a random nonce when it starts (one per incarnation) and keeps the highest counter it
 * has accepted. A tool first sends the unsigned command {@code challenge}; the reply's output is the nonce in hex
 * and its counter field the last accepted counter. The tool then signs its command with the next counter:
 * <pre>
 *   MAC = HMAC-SHA256(secret, direction || nonce || the frame's bytes before the mac || the bytes after it)
 * </pre>
 * with direction {@code 'Q'} for a request and {@code 'R'} for a reply (and the template id, in the covered header,
 * says which too, so a reply can never pass for a request). The service accepts a command only when its MAC is right
 * (compared in constant time) and its counter is above the last accepted one, so a frame read from the log buffers
 * and sent again is refused as replayed, and one from an earlier incarnation fails its MAC. Every reply is signed the
 * same way, so a tool believes only the service's answers, not a frame another process put on the reply stream.
 * <p>
 * A frame is checked before it is read: schema id, template, a version of 5 or more, a block at least as long as
 * this version's, and every text inside the frame; fields a newer writer appends to the block are skipped. Version 1
 * frames of the tools' earlier format (magic "ATA1", 24-byte header, unsigned) are still recognised so an older tool
 * is told, in its own format, that the service takes only signed commands.
 * <p>
 * Frames are longer than an MTU when the output is long: readers reassemble fragments (Aeron's
 * {@code FragmentAssembler}).
 * <p>
 * Threading: the static methods allocate their flyweights per call (a few per admin command, never on a hot path);
 * any thread (a {@link HmacSha256} passed in is the caller's).
 */
final class AdminFrame
{
    static final int MAGIC_V1 = 0x31415441;
    static final int V1_MAGIC_OFFSET = 0;
    static final int V1_CORRELATION_ID_OFFSET = 4;
    static final int V1_EXIT_CODE_OFFSET = 12;
    static final int V1_FIRST_LENGTH_OFFSET = 16;
    static final int V1_SECOND_LENGTH_OFFSET = 20;
    static final int HEADER_LENGTH_V1 = 24;

    static final int MESSAGE_HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    static final int CORRELATION_ID_OFFSET = MESSAGE_HEADER + AdminRequestEncoder.correlationIdEncodingOffset();
    static final int COUNTER_OFFSET = MESSAGE_HEADER + AdminRequestEncoder.counterEncodingOffset();
    static final int MAC_OFFSET = MESSAGE_HEADER + AdminRequestEncoder.macEncodingOffset();
    static final int MAC_END = MAC_OFFSET + HmacSha256.LENGTH;
    /** Everything of a reply but its texts: room left for output is the frame's room less this and the errors. */
    static final int HEADER_LENGTH = MESSAGE_HEADER + AdminReplyEncoder.BLOCK_LENGTH + 2 * Integer.BYTES;
    static final int MIN_VERSION = 5;
    static final int NONCE_LENGTH = 16;
    static final char ARGUMENT_SEPARATOR = '\0';
    static final byte REQUEST = 'Q';
    static final byte REPLY = 'R';

    /** The one command taken unsigned: answers the nonce and the last accepted counter. */
    static final String CHALLENGE = "challenge";
    /** Exit code of a command the service refused to run because it was not authenticated (EX_NOPERM). */
    static final int EXIT_REFUSED = 77;

    static
    {
        // signing relies on one layout of the fields before the texts for both messages
        if (AdminRequestEncoder.macEncodingOffset() != AdminReplyEncoder.macEncodingOffset() ||
            AdminRequestEncoder.correlationIdEncodingOffset() != AdminReplyEncoder.correlationIdEncodingOffset() ||
            AdminRequestEncoder.counterEncodingOffset() != AdminReplyEncoder.counterEncodingOffset())
        {
            throw new IllegalStateException("AdminRequest and AdminReply must share their first fields' layout");
        }
    }

    private AdminFrame()
    {
    }

    /**
     * Encode a request with a zero MAC: sign it with {@link #sign} afterwards (only a challenge goes unsigned).
     *
     * @param buffer        where, from offset 0.
     * @param correlationId request id, echoed by the reply.
     * @param counter       the command's counter.
     * @param arguments     the command line ({@link #arguments(List)}).
     * @return frame length.
     */
    static int encodeRequest(
        final MutableDirectBuffer buffer, final long correlationId, final long counter, final byte[] arguments)
    {
        final AdminRequestEncoder encoder = new AdminRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .counter(counter);
        buffer.setMemory(MAC_OFFSET, HmacSha256.LENGTH, (byte)0);
        encoder.putArguments(arguments, 0, arguments.length);
        return MESSAGE_HEADER + encoder.encodedLength();
    }

    /**
     * Encode a reply with a zero MAC: sign it with {@link #sign} afterwards.
     *
     * @param buffer        where, from offset 0.
     * @param correlationId the request's.
     * @param exitCode      exit code.
     * @param counter       the last accepted counter.
     * @param output        standard output.
     * @param errors        error output.
     * @return frame length.
     */
    static int encodeReply(
        final MutableDirectBuffer buffer,
        final long correlationId,
        final int exitCode,
        final long counter,
        final byte[] output,
        final byte[] errors)
    {
        final AdminReplyEncoder encoder = new AdminReplyEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .counter(counter)
            .exitCode(exitCode);
        buffer.setMemory(MAC_OFFSET, HmacSha256.LENGTH, (byte)0);
        encoder.putOutput(output, 0, output.length);
        encoder.putErrors(errors, 0, errors.length);
        return MESSAGE_HEADER + encoder.encodedLength();
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
        buffer.putInt(V1_MAGIC_OFFSET, MAGIC_V1);
        buffer.putLong(V1_CORRELATION_ID_OFFSET, correlationId);
        buffer.putInt(V1_EXIT_CODE_OFFSET, exitCode);
        buffer.putInt(V1_FIRST_LENGTH_OFFSET, 0);
        buffer.putInt(V1_SECOND_LENGTH_OFFSET, second.length);
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
     * Whether a frame's MAC is right, compared in constant time.
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
            .update(buffer, offset, MAC_OFFSET)
            .update(buffer, offset + MAC_END, length - MAC_END)
            .finish();
    }

    /**
     * Whether a frame is a well formed AdminRequest or AdminReply: this schema, a version with these messages, a
     * block at least this version's, and texts inside the frame.
     *
     * @param buffer frame.
     * @param offset where it starts.
     * @param length its length.
     * @return true when it can be read.
     */
    static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MESSAGE_HEADER)
        {
            return false;
        }
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        final int templateId = header.templateId();
        final int texts;
        final int minBlock;
        if (AdminRequestDecoder.TEMPLATE_ID == templateId)
        {
            texts = 1;
            minBlock = AdminRequestDecoder.BLOCK_LENGTH;
        }
        else if (AdminReplyDecoder.TEMPLATE_ID == templateId)
        {
            texts = 2;
            minBlock = AdminReplyDecoder.BLOCK_LENGTH;
        }
        else
        {
            return false;
        }
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID || header.version() < MIN_VERSION ||
            header.blockLength() < minBlock)
        {
            return false;
        }
        long at = (long)MESSAGE_HEADER + header.blockLength();
        for (int i = 0; i < texts; i++)
        {
            if (at + Integer.BYTES > length)
            {
                return false;
            }
            at += Integer.BYTES + (buffer.getInt(offset + (int)at, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL);
            if (at > length)
            {
                return false;
            }
        }
        return true;
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
        if (length < HEADER_LENGTH_V1 || MAGIC_V1 != buffer.getInt(offset + V1_MAGIC_OFFSET))
        {
            return false;
        }
        final long first = buffer.getInt(offset + V1_FIRST_LENGTH_OFFSET);
        final long second = buffer.getInt(offset + V1_SECOND_LENGTH_OFFSET);
        return first >= 0 && second >= 0 && HEADER_LENGTH_V1 + first + second <= length;
    }

    /**
     * A frame's correlation id: a version 1 frame's or a checked SBE frame's.
     *
     * @param buffer the frame.
     * @param offset where it starts.
     * @return the id.
     */
    static long correlationId(final DirectBuffer buffer, final int offset)
    {
        return MAGIC_V1 == buffer.getInt(offset + V1_MAGIC_OFFSET) ?
            buffer.getLong(offset + V1_CORRELATION_ID_OFFSET) : buffer.getLong(offset + CORRELATION_ID_OFFSET);
    }

    /**
     * A reply's exit code: a version 1 reply's or a checked AdminReply's.
     *
     * @param buffer the frame.
     * @param offset where it starts.
     * @return the code.
     */
    static int exitCode(final DirectBuffer buffer, final int offset)
    {
        return MAGIC_V1 == buffer.getInt(offset + V1_MAGIC_OFFSET) ?
            buffer.getInt(offset + V1_EXIT_CODE_OFFSET) : reply(buffer, offset).exitCode();
    }

    static long counter(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + COUNTER_OFFSET);
    }

    /**
     * A checked frame's first text: a request's arguments, a reply's output.
     *
     * @param buffer the frame.
     * @param offset where it starts.
     * @return the text.
     */
    static String first(final DirectBuffer buffer, final int offset)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        if (AdminRequestDecoder.TEMPLATE_ID == header.templateId())
        {
            return new AdminRequestDecoder().wrap(buffer, offset + MESSAGE_HEADER, header.blockLength(),
                header.version()).arguments();
        }
        return reply(buffer, offset).output();
    }

    /**
     * A checked reply's error output.
     *
     * @param buffer the frame.
     * @param offset where it starts.
     * @return the text.
     */
    static String second(final DirectBuffer buffer, final int offset)
    {
        final AdminReplyDecoder reply = reply(buffer, offset);
        reply.skipOutput();
        return reply.errors();
    }

    private static AdminReplyDecoder reply(final DirectBuffer buffer, final int offset)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        return new AdminReplyDecoder().wrap(buffer, offset + MESSAGE_HEADER, header.blockLength(), header.version());
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

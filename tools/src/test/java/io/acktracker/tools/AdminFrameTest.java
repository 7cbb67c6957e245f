package io.acktracker.tools;

import io.acktracker.transport.auth.HmacSha256;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin stream's frames are the SBE schema's AdminRequest and AdminReply: they read back as written, their MAC
 * covers every byte but its own, and a frame whose texts leave it, of another schema, or older than version 5 is
 * not read.
 */
class AdminFrameTest
{
    private static final byte[] NONCE = new byte[AdminFrame.NONCE_LENGTH];
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
    private final HmacSha256 mac = new HmacSha256("secret-secret-secret".getBytes(StandardCharsets.US_ASCII));

    @Test
    void shouldReadARequestAndAReplyAsWritten()
    {
        final int request = AdminFrame.encodeRequest(buffer, 7, 3, AdminFrame.arguments(List.of("dlq", "list")));
        assertThat(AdminFrame.isValid(buffer, 0, request)).isTrue();
        assertThat(AdminFrame.correlationId(buffer, 0)).isEqualTo(7);
        assertThat(AdminFrame.counter(buffer, 0)).isEqualTo(3);
        assertThat(AdminFrame.arguments(AdminFrame.first(buffer, 0))).containsExactly("dlq", "list");

        final int reply = AdminFrame.encodeReply(buffer, 8, 2, 5, "out\u00e9".getBytes(StandardCharsets.UTF_8),
            "err".getBytes(StandardCharsets.UTF_8));
        assertThat(AdminFrame.isValid(buffer, 0, reply)).isTrue();
        assertThat(AdminFrame.correlationId(buffer, 0)).isEqualTo(8);
        assertThat(AdminFrame.exitCode(buffer, 0)).isEqualTo(2);
        assertThat(AdminFrame.counter(buffer, 0)).isEqualTo(5);
        assertThat(AdminFrame.first(buffer, 0)).isEqualTo("out\u00e9");
        assertThat(AdminFrame.second(buffer, 0)).isEqualTo("err");
    }

    @Test
    void shouldSignEveryByteButTheMac()
    {
        final int length = AdminFrame.encodeReply(buffer, 8, 0, 5, "out".getBytes(StandardCharsets.UTF_8),
            new byte[0]);
        AdminFrame.sign(buffer, length, AdminFrame.REPLY, NONCE, mac);
        assertThat(AdminFrame.verify(buffer, 0, length, AdminFrame.REPLY, NONCE, mac)).isTrue();
        assertThat(AdminFrame.verify(buffer, 0, length, AdminFrame.REQUEST, NONCE, mac)).as("other direction").isFalse();
        for (int i = 0; i < length; i++)
        {
            if (i >= AdminFrame.MAC_OFFSET && i < AdminFrame.MAC_END)
            {
                continue;
            }
            buffer.putByte(i, (byte)(buffer.getByte(i) ^ 1));
            assertThat(AdminFrame.verify(buffer, 0, length, AdminFrame.REPLY, NONCE, mac)).as("byte %d", i).isFalse();
            buffer.putByte(i, (byte)(buffer.getByte(i) ^ 1));
        }
    }

    @Test
    void shouldNotReadAFrameItCannotTrust()
    {
        final int length = AdminFrame.encodeRequest(buffer, 7, 3, AdminFrame.arguments(List.of("dlq", "list")));
        assertThat(AdminFrame.isValid(buffer, 0, length - 1)).as("text past the frame").isFalse();
        assertThat(AdminFrame.isValid(buffer, 0, AdminFrame.MESSAGE_HEADER)).as("no block").isFalse();

        buffer.putShort(6, (short)4);
        assertThat(AdminFrame.isValid(buffer, 0, length)).as("version 4").isFalse();
        buffer.putShort(6, (short)5);
        buffer.putShort(4, (short)1);
        assertThat(AdminFrame.isValid(buffer, 0, length)).as("another schema").isFalse();
        AdminFrame.encodeRequest(buffer, 7, 3, new byte[0]);
        buffer.putShort(2, (short)2);
        assertThat(AdminFrame.isValid(buffer, 0, length)).as("a Track is not an admin frame").isFalse();
    }
}

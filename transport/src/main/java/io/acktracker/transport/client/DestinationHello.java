package io.acktracker.transport.client;

import io.acktracker.transport.Protocol;
import io.acktracker.transport.auth.HelloProof;
import io.acktracker.transport.auth.HmacSha256;
import io.acktracker.transport.codecs.DestinationHelloEncoder;
import io.acktracker.transport.codecs.HelloCredential;
import io.acktracker.transport.codecs.MessageHeaderEncoder;
import io.aeron.Publication;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * How an {@link AckPublisher} introduces itself to a tracker before its commands: a DestinationHello naming its
 * destination; with a key, first a challenge request, then (once the tracker's nonce arrived) the proof. The states:
 * PENDING (the hello, or the challenge request, goes before the next command), AWAITING_CHALLENGE (commands wait for
 * the nonce), PROOF_PENDING (the proof goes before the next command), SENT. {@link #reset()} starts over (a
 * disconnect, a restarted tracker). Zero allocation after construction. Threading: the publisher's thread.
 */
final class DestinationHello
{
    private static final int PENDING = 0;
    private static final int AWAITING_CHALLENGE = 1;
    private static final int PROOF_PENDING = 2;
    private static final int SENT = 3;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Protocol.MAX_FRAME_LENGTH));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final DestinationHelloEncoder encoder = new DestinationHelloEncoder();
    private final short destinationId;
    private final UnsafeBuffer name;
    private final HmacSha256 mac;
    private final byte[] proof = new byte[HelloProof.LENGTH];
    private int length;
    private int state = PENDING;

    /**
     * @param destinationName the destination's name (checked by the caller).
     * @param destinationId   its id, or {@link Protocol#BOUND_DESTINATION}.
     * @param key             its key, or null for none.
     */
    DestinationHello(final String destinationName, final int destinationId, final byte[] key)
    {
        this.destinationId = (short)destinationId;
        this.name = new UnsafeBuffer(destinationName.getBytes(StandardCharsets.US_ASCII));
        this.mac = null == key ? null : new HmacSha256(key);
        encode(null == key ? HelloCredential.NONE : HelloCredential.CHALLENGE);
    }

    boolean hasKey()
    {
        return null != mac;
    }

    boolean isSent()
    {
        return SENT == state;
    }

    /**
     * Send what the state asks for before a command. Without a key: the hello. With a key: the challenge request
     * (then BACK_PRESSURED until the nonce arrives: nothing of the command was sent), then the proof.
     *
     * With a key, the challenge is asked for only when the tracker's answers can reach this process
     * ({@link TrackerLink#isReceiving()}), so the nonce is not lost.
     *
     * @param link the publisher's link.
     * @return the offer's position when the hello is sent, or a negative Aeron result: the command must wait.
     */
    long send(final TrackerLink link)
    {
        if (AWAITING_CHALLENGE == state)
        {
            return Publication.BACK_PRESSURED;
        }
        if (null != mac && PENDING == state && !link.isReceiving())
        {
            return Publication.NOT_CONNECTED;
        }
        final long result = link.offer(buffer, 0, length);
        if (result < 0)
        {
            return result;
        }
        if (null != mac && PENDING == state)
        {
            state = AWAITING_CHALLENGE;
            return Publication.BACK_PRESSURED;
        }
        state = SENT;
        return result;
    }

    /**
     * The tracker's challenge to this session arrived: the proof goes before the next command. Ignored without a
     * key or when no challenge is awaited.
     *
     * @param nonce       holding the nonce.
     * @param nonceOffset where it starts.
     * @param sessionId   the link's session id, which the proof binds.
     */
    void onChallenge(final DirectBuffer nonce, final int nonceOffset, final int sessionId)
    {
        if (null == mac || AWAITING_CHALLENGE != state)
        {
            return;
        }
        HelloProof.compute(mac, nonce, nonceOffset, sessionId, name, 0, name.capacity(), proof);
        encode(HelloCredential.PROOF);
        encoder.putNonce(nonce, nonceOffset, HelloProof.NONCE_LENGTH).putProof(proof, 0, proof.length);
        state = PROOF_PENDING;
    }

    /**
     * Introduce the publisher again before its next command (the publication was disconnected, or the tracker no
     * longer knows this session): with a key, that means a new challenge.
     */
    void reset()
    {
        if (null != mac)
        {
            encode(HelloCredential.CHALLENGE);
        }
        state = PENDING;
    }

    private void encode(final HelloCredential credential)
    {
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .destinationId(destinationId)
            .credential(credential);
        for (int i = 0; i < HelloProof.NONCE_LENGTH; i++)
        {
            encoder.nonce(i, (short)0);
        }
        for (int i = 0; i < HelloProof.LENGTH; i++)
        {
            encoder.proof(i, (short)0);
        }
        encoder.putName(name, 0, name.capacity());
        length = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }
}

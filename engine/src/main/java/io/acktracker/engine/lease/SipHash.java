package io.acktracker.engine.lease;

/**
 * SipHash-2-4 over exactly three 64-bit words: a keyed pseudo-random function built for authenticating short
 * inputs, used as the MAC of receipt handles. Allocation-free; about 20 ns.
 * <p>
 * Follows the reference (Aumasson and Bernstein): 2 compression rounds per 8-byte word, 4 finalisation rounds, the
 * input length (24 bytes) in the top byte of the final block. Words are taken as little-endian, as the reference
 * reads bytes.
 */
public final class SipHash
{
    private final long k0;
    private final long k1;

    /**
     * A function keyed with 128 bits.
     *
     * @param k0 first key word.
     * @param k1 second key word.
     */
    public SipHash(final long k0, final long k1)
    {
        this.k0 = k0;
        this.k1 = k1;
    }

    /**
     * The MAC of three words.
     *
     * @param m0 first word.
     * @param m1 second word.
     * @param m2 third word.
     * @return 64-bit tag.
     */
    public long hash(final long m0, final long m1, final long m2)
    {
        long v0 = 0x736f6d6570736575L ^ k0;
        long v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0;
        long v3 = 0x7465646279746573L ^ k1;

        for (int i = 0; i < 4; i++)
        {
            final long m = 0 == i ? m0 : 1 == i ? m1 : 2 == i ? m2 : 24L << 56;
            v3 ^= m;
            for (int round = 0; round < 2; round++)
            {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }

        v2 ^= 0xFF;
        for (int round = 0; round < 4; round++)
        {
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}

package io.acktracker.engine.lease;

import io.acktracker.engine.api.TrackerException;
import io.acktracker.engine.store.OwnerOnlyFiles;
import io.acktracker.engine.store.StoreLayout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The per-tracker secret that authenticates receipt handles: 128 random bits, kept owner-only beside the tables
 * ({@code lease.key} in the data directory) so handles stay valid across a restart, or random per process in memory.
 */
public final class LeaseSecret
{
    private static final int LENGTH = 16;

    private LeaseSecret()
    {
    }

    /**
     * The configured secret, or the secret of a data directory (created on first use), or a fresh one in memory.
     *
     * @param dataDir    data directory, or null for memory only.
     * @param configured a configured 16-byte secret, or null.
     * @return the keyed MAC function.
     */
    public static SipHash load(final Path dataDir, final byte[] configured)
    {
        final byte[] key;
        if (null != configured)
        {
            key = configured;
        }
        else if (null == dataDir)
        {
            key = new byte[LENGTH];
            new SecureRandom().nextBytes(key);
        }
        else
        {
            final Path file = dataDir.resolve(StoreLayout.LEASE_SECRET_FILE);
            try
            {
                if (!Files.exists(file))
                {
                    final byte[] fresh = new byte[LENGTH];
                    new SecureRandom().nextBytes(fresh);
                    // owner-only, forced, then renamed: a power loss leaves no key or the whole key, never part
                    OwnerOnlyFiles.replace(file, fresh);
                }
                key = Files.readAllBytes(file);
            }
            catch (final IOException ex)
            {
                throw new TrackerException("cannot read or create the lease secret " + file + ": " + ex.getMessage(),
                    ex);
            }
            if (LENGTH != key.length)
            {
                throw new TrackerException("lease secret " + file + " is corrupt (" + key.length + " bytes, expected " +
                    LENGTH + "); delete it to start a new one (outstanding receipt handles become invalid)");
            }
        }
        final ByteBuffer buffer = ByteBuffer.wrap(key);
        return new SipHash(buffer.getLong(0), buffer.getLong(8));
    }
}

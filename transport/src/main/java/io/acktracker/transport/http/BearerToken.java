package io.acktracker.transport.http;

import io.acktracker.transport.auth.SecretFile;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The HTTP edge's bearer token ({@code Authorization: Bearer <token>}), kept in an owner-only file: read when the
 * file exists, otherwise made from 32 bytes of {@code SecureRandom} (base64url, 43 characters) and written
 * owner-only and atomically ({@link SecretFile}), so whoever can read the file (its owner, root) can use
 * the edge and nobody else can. A file readable by group or others is refused rather than trusted.
 * <p>
 * A presented token is compared in constant time: both sides are hashed with SHA-256 and the digests compared with
 * {@link MessageDigest#isEqual}, so neither the content nor the length of the real token leaks through timing.
 * <p>
 * Threading: immutable after {@link #open}; {@link #matches} from any thread.
 */
final class BearerToken
{
    /** The token file's name in a data directory. */
    static final String FILE_NAME = "http.token";
    /** Shortest token accepted from an operator's file. */
    static final int MIN_LENGTH = SecretFile.MIN_LENGTH;
    private static final String SCHEME = "Bearer ";

    private final Path file;
    private final byte[] digest;

    private BearerToken(final Path file, final String token)
    {
        this.file = file;
        this.digest = sha256(token.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Read the token from its file, creating the file with a new token when it does not exist.
     *
     * @param file the token file.
     * @return the token.
     * @throws IllegalArgumentException naming {@code http.token.file} when the file is not owner-only, not a
     *                                  regular file, or holds no usable token.
     * @throws UncheckedIOException     when it cannot be read or written.
     */
    static BearerToken open(final Path file)
    {
        return new BearerToken(file, SecretFile.readOrCreate(file, "http.token.file"));
    }

    /**
     * The token's file.
     *
     * @return the file.
     */
    Path file()
    {
        return file;
    }

    /**
     * Whether an {@code Authorization} header carries this token.
     *
     * @param authorization the header's value, or null.
     * @return true when it is {@code Bearer <this token>}.
     */
    boolean matches(final String authorization)
    {
        if (null == authorization || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length()))
        {
            return false;
        }
        final byte[] presented = authorization.substring(SCHEME.length()).strip()
            .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(final byte[] bytes)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every Java platform has SHA-256", ex);
        }
    }
}

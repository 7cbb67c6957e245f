package io.acktracker.transport.http;

import io.acktracker.engine.store.OwnerOnlyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The HTTP edge's bearer token ({@code Authorization: Bearer <token>}), kept in an owner-only file: read when the
 * file exists, otherwise made from 32 bytes of {@link SecureRandom} (base64url, 43 characters) and written
 * owner-only and atomically ({@link OwnerOnlyFiles#replace}), so whoever can read the file (its owner, root) can use
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
    static final int MIN_LENGTH = 32;
    private static final int RANDOM_BYTES = 32;
    private static final String SCHEME = "Bearer ";
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = Set.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

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
        try
        {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
            {
                final Path parent = file.toAbsolutePath().getParent();
                if (null != parent)
                {
                    OwnerOnlyFiles.createDirectories(parent);
                }
                OwnerOnlyFiles.replace(file, (newToken() + "\n").getBytes(StandardCharsets.US_ASCII));
            }
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
            {
                throw invalid(file, "not a regular file");
            }
            final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains))
            {
                throw invalid(file, "readable or writable by other users (" +
                    PosixFilePermissions.toString(permissions) + "): chmod 600 it, and use a new token if others " +
                    "may have read it");
            }
            final String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (token.length() < MIN_LENGTH || !isToken68(token))
            {
                throw invalid(file, "expected one token of at least " + MIN_LENGTH + " characters (letters, digits, " +
                    "-._~+/ and trailing =); delete the file to have a new one made");
            }
            return new BearerToken(file, token);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read or create the HTTP token file " + file + " (http.token.file)",
                ex);
        }
    }

    private static IllegalArgumentException invalid(final Path file, final String why)
    {
        return new IllegalArgumentException("invalid http.token.file='" + file + "': " + why);
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

    private static String newToken()
    {
        final byte[] bytes = new byte[RANDOM_BYTES];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static boolean isToken68(final String token)
    {
        int i = 0;
        for (; i < token.length(); i++)
        {
            final char c = token.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~+/".indexOf(c) >= 0))
            {
                break;
            }
        }
        for (; i < token.length(); i++)
        {
            if (token.charAt(i) != '=')
            {
                return false;
            }
        }
        return true;
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

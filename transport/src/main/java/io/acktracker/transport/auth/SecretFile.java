package io.acktracker.transport.auth;

import io.acktracker.engine.store.OwnerOnlyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * A secret kept in an owner-only file: one token of at least {@link #MIN_LENGTH} characters (letters, digits,
 * {@code -._~+/}, trailing {@code =}: an HTTP token68, so the same file serves as the HTTP bearer token). Whoever can
 * read the file (its owner, root) holds the secret and nobody else does; a file readable or writable by group or
 * others is refused rather than trusted, because someone else may already have read it.
 * <p>
 * Used for the service's one secret ({@code http.token} in the data directory: the HTTP bearer token and the key
 * admin commands are signed with) and for the destination key file.
 * <p>
 * Threading: stateless; any thread.
 */
public final class SecretFile
{
    /** Shortest token accepted from an operator's file. */
    public static final int MIN_LENGTH = 32;
    private static final int RANDOM_BYTES = 32;
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = Set.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private SecretFile()
    {
    }

    /**
     * Read the token from its file, first creating the file (and missing parents, 0700) with a new random token
     * (32 bytes of {@link SecureRandom}, base64url) when it does not exist. The file is written owner-only and
     * atomically.
     *
     * @param file the file.
     * @param key  the setting that names it, for error messages.
     * @return the token.
     * @throws IllegalArgumentException naming {@code key} when the file is not owner-only, not a regular file, or
     *                                  holds no usable token.
     * @throws UncheckedIOException     when it cannot be read or written.
     */
    public static String readOrCreate(final Path file, final String key)
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
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create the secret file " + file + " (" + key + ")", ex);
        }
        return read(file, key);
    }

    /**
     * Read the token from an existing file.
     *
     * @param file the file.
     * @param key  the setting or flag that names it, for error messages.
     * @return the token.
     * @throws IllegalArgumentException naming {@code key} when the file is missing, not owner-only, not a regular
     *                                  file, or holds no usable token.
     * @throws UncheckedIOException     when it cannot be read (e.g. permission denied: it is another user's).
     */
    public static String read(final Path file, final String key)
    {
        try
        {
            requireOwnerOnly(file, key);
            final String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (!isToken(token))
            {
                throw invalid(file, key, "expected one token of at least " + MIN_LENGTH + " characters (letters, " +
                    "digits, -._~+/ and trailing =); delete the file to have a new one made");
            }
            return token;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the secret file " + file + " (" + key + ")", ex);
        }
    }

    /**
     * Check that a file exists, is a regular file (not a link) and that neither group nor others may read or write
     * it.
     *
     * @param file the file.
     * @param key  the setting or flag that names it, for error messages.
     * @throws IllegalArgumentException naming {@code key} otherwise.
     * @throws IOException              when its permissions cannot be read.
     */
    public static void requireOwnerOnly(final Path file, final String key) throws IOException
    {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS))
        {
            throw invalid(file, key, "no such file");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
        {
            throw invalid(file, key, "not a regular file");
        }
        final Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains))
        {
            throw invalid(file, key, "readable or writable by other users (" +
                PosixFilePermissions.toString(permissions) + "): chmod 600 it, and use a new secret if others " +
                "may have read it");
        }
    }

    /**
     * A new random token: 32 bytes of {@link SecureRandom}, base64url without padding (43 characters).
     *
     * @return the token.
     */
    public static String newToken()
    {
        final byte[] bytes = new byte[RANDOM_BYTES];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Whether text is a usable token: long enough, and an HTTP token68.
     *
     * @param token the text.
     * @return true when usable.
     */
    public static boolean isToken(final String token)
    {
        if (token.length() < MIN_LENGTH)
        {
            return false;
        }
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

    private static IllegalArgumentException invalid(final Path file, final String key, final String why)
    {
        return new IllegalArgumentException("invalid " + key + "='" + file + "': " + why);
    }
}

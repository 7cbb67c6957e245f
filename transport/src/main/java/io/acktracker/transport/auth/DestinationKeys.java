package io.acktracker.transport.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The per-destination keys a tracker checks hellos against: a destination whose name has a key must prove it at
 * hello (an HMAC-SHA256 over a tracker nonce, see {@link HelloProof}); a destination without one is bound as
 * before, unauthenticated.
 * <p>
 * Kept in a file the operator controls (service key {@code destination.keys.file}), never on a command line: one
 * {@code name=key} per line, {@code #} comments and blank lines ignored; a key is a token of at least
 * {@value SecretFile#MIN_LENGTH} characters (letters, digits, {@code -._~+/}, trailing {@code =}, e.g. from
 * {@code openssl rand -base64 32}), used as its ASCII bytes. The file must be owner-only, like the service's
 * secret. The destination's process holds the same key (its own owner-only copy).
 * <p>
 * The same format, in its own file (service key {@code client.keys.file}), holds the keys of clients with sessions,
 * by client name: a client whose name has a key proves its client id ({@code ClientSession.Settings.idOf(name)}) at
 * SessionOpen ({@link ClientProof}). A separate file, so a destination's key and a client's key are never the same
 * secret by accident, and a key given to a sender's process cannot be used to ack as a destination.
 * <p>
 * Threading: immutable; any thread.
 */
public final class DestinationKeys
{
    private static final DestinationKeys NONE = new DestinationKeys(Map.of());

    private final Map<String, byte[]> keys;

    private DestinationKeys(final Map<String, byte[]> keys)
    {
        this.keys = keys;
    }

    /**
     * No keys: every destination is unauthenticated.
     *
     * @return the empty set.
     */
    public static DestinationKeys none()
    {
        return NONE;
    }

    /**
     * Keys given directly (tests, embedding hosts that keep keys elsewhere).
     *
     * @param keys name to key text; each key a token as in a file.
     * @return the keys.
     * @throws IllegalArgumentException for a bad name or key.
     */
    public static DestinationKeys of(final Map<String, String> keys)
    {
        final Map<String, byte[]> checked = new LinkedHashMap<>();
        for (final Map.Entry<String, String> entry : keys.entrySet())
        {
            checked.put(checkName(entry.getKey(), "destination key"), checkKey(entry.getValue(), entry.getKey(),
                "destination key"));
        }
        return new DestinationKeys(Collections.unmodifiableMap(checked));
    }

    /**
     * Read keys from an owner-only file.
     *
     * @param file the file.
     * @param key  the setting that names it, for error messages.
     * @return the keys.
     * @throws IllegalArgumentException naming {@code key} for a file that is not owner-only or a bad line (the
     *                                  message gives the line number, never a key).
     * @throws UncheckedIOException     when it cannot be read.
     */
    public static DestinationKeys load(final Path file, final String key)
    {
        try
        {
            SecretFile.requireOwnerOnly(file, key);
            final Map<String, byte[]> keys = new LinkedHashMap<>();
            int lineNumber = 0;
            for (final String raw : Files.readAllLines(file, StandardCharsets.US_ASCII))
            {
                lineNumber++;
                final String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#"))
                {
                    continue;
                }
                final int equals = line.indexOf('=');
                final String where = key + "='" + file + "' line " + lineNumber;
                if (equals <= 0)
                {
                    throw new IllegalArgumentException("invalid " + where + ": expected name=key");
                }
                final String name = checkName(line.substring(0, equals).strip(), where);
                if (keys.containsKey(name))
                {
                    throw new IllegalArgumentException("invalid " + where + ": a second key for '" + name + "'");
                }
                keys.put(name, checkKey(line.substring(equals + 1).strip(), name, where));
            }
            return new DestinationKeys(Collections.unmodifiableMap(keys));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the destination key file " + file + " (" + key + ")", ex);
        }
    }

    /**
     * The key of a destination.
     *
     * @param name the destination's name.
     * @return its key, or null when it has none (unauthenticated).
     */
    public byte[] key(final String name)
    {
        return keys.get(name);
    }

    /**
     * Names that have a key.
     *
     * @return the names.
     */
    public Set<String> names()
    {
        return keys.keySet();
    }

    private static String checkName(final String name, final String where)
    {
        if (name.isEmpty() || name.length() > 64)
        {
            throw new IllegalArgumentException("invalid " + where + ": a name has 1..64 characters");
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c <= ' ' || c > '~')
            {
                throw new IllegalArgumentException("invalid " + where + ": a name is printable ASCII");
            }
        }
        return name;
    }

    private static byte[] checkKey(final String key, final String name, final String where)
    {
        if (!SecretFile.isToken(key))
        {
            throw new IllegalArgumentException("invalid " + where + ": the key of '" + name + "' must be a token " +
                "of at least " + SecretFile.MIN_LENGTH + " characters (letters, digits, -._~+/ and trailing =)");
        }
        return key.getBytes(StandardCharsets.US_ASCII);
    }
}
